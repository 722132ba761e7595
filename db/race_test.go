package db_test

const raceWorkerEnv = "IRONIC_GO_DB_RACE_WORKER"

func runRaceWorker() int { return 0 }
