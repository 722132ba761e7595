-- The tables of Ironic 21.4 (alembic head 4dbec778866e) that the conductor
-- uses, column for column, with the same names, defaults, constraint and
-- index names as ironic-dbsync creates them, in SQLAlchemy's SQLite types.
-- Ids are AUTOINCREMENT so that a deleted conductor's or node's id is never
-- reused. A database made by ironic-dbsync is used as it is and these
-- migrations never run on it.

-- +goose Up
CREATE TABLE conductors (
    created_at DATETIME,
    updated_at DATETIME,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hostname VARCHAR(255) NOT NULL,
    drivers TEXT,
    online BOOLEAN,
    version VARCHAR(15),
    conductor_group VARCHAR(255) DEFAULT '' NOT NULL,
    CONSTRAINT uniq_conductors0hostname UNIQUE (hostname)
);

CREATE TABLE conductor_hardware_interfaces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at DATETIME,
    updated_at DATETIME,
    conductor_id INTEGER NOT NULL,
    hardware_type VARCHAR(255) NOT NULL,
    interface_type VARCHAR(16) NOT NULL,
    interface_name VARCHAR(255) NOT NULL,
    "default" BOOLEAN NOT NULL,
    version VARCHAR(15),
    CONSTRAINT uniq_conductorhardwareinterfaces0 UNIQUE (conductor_id, hardware_type, interface_type, interface_name),
    CONSTRAINT conductor_hardware_interfaces_conductor_id_fkey FOREIGN KEY (conductor_id) REFERENCES conductors(id)
);

CREATE TABLE chassis (
    created_at DATETIME,
    updated_at DATETIME,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid VARCHAR(36),
    extra TEXT,
    description VARCHAR(255),
    version VARCHAR(15),
    CONSTRAINT uniq_chassis0uuid UNIQUE (uuid)
);

CREATE TABLE nodes (
    created_at DATETIME,
    updated_at DATETIME,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid VARCHAR(36),
    instance_uuid VARCHAR(36),
    chassis_id INTEGER,
    power_state VARCHAR(15),
    target_power_state VARCHAR(15),
    provision_state VARCHAR(15),
    target_provision_state VARCHAR(15),
    last_error TEXT,
    properties TEXT,
    driver VARCHAR(255),
    driver_info TEXT,
    reservation VARCHAR(255),
    maintenance BOOLEAN,
    extra TEXT,
    provision_updated_at DATETIME,
    console_enabled BOOLEAN,
    instance_info TEXT,
    conductor_affinity INTEGER,
    maintenance_reason TEXT,
    driver_internal_info TEXT,
    name VARCHAR(255),
    inspection_started_at DATETIME,
    inspection_finished_at DATETIME,
    clean_step TEXT,
    raid_config TEXT,
    target_raid_config TEXT,
    network_interface VARCHAR(255),
    resource_class VARCHAR(80),
    boot_interface VARCHAR(255),
    console_interface VARCHAR(255),
    deploy_interface VARCHAR(255),
    inspect_interface VARCHAR(255),
    management_interface VARCHAR(255),
    power_interface VARCHAR(255),
    raid_interface VARCHAR(255),
    vendor_interface VARCHAR(255),
    storage_interface VARCHAR(255),
    version VARCHAR(15),
    rescue_interface VARCHAR(255),
    bios_interface VARCHAR(255),
    fault VARCHAR(255),
    deploy_step TEXT,
    conductor_group VARCHAR(255) DEFAULT '' NOT NULL,
    automated_clean BOOLEAN,
    protected BOOLEAN DEFAULT false NOT NULL,
    protected_reason TEXT,
    owner VARCHAR(255),
    allocation_id INTEGER,
    description TEXT,
    retired BOOLEAN DEFAULT false,
    retired_reason TEXT,
    lessee VARCHAR(255),
    network_data TEXT,
    boot_mode VARCHAR(16),
    secure_boot BOOLEAN,
    shard VARCHAR(255),
    CONSTRAINT uniq_nodes0uuid UNIQUE (uuid),
    CONSTRAINT uniq_nodes0instance_uuid UNIQUE (instance_uuid),
    CONSTRAINT uniq_nodes0name UNIQUE (name),
    CONSTRAINT nodes_chassis_id_fkey FOREIGN KEY (chassis_id) REFERENCES chassis(id),
    CONSTRAINT nodes_conductor_affinity_fk FOREIGN KEY (conductor_affinity) REFERENCES conductors(id),
    CONSTRAINT nodes_allocation_id_fkey FOREIGN KEY (allocation_id) REFERENCES allocations(id)
);
CREATE INDEX conductor_group_idx ON nodes (conductor_group);
CREATE INDEX driver_idx ON nodes (driver);
CREATE INDEX lessee_idx ON nodes (lessee);
CREATE INDEX owner_idx ON nodes (owner);
CREATE INDEX provision_state_idx ON nodes (provision_state);
CREATE INDEX reservation_idx ON nodes (reservation);
CREATE INDEX resource_class_idx ON nodes (resource_class);
CREATE INDEX shard_idx ON nodes (shard);

CREATE TABLE allocations (
    created_at DATETIME,
    updated_at DATETIME,
    version VARCHAR(15),
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid VARCHAR(36) NOT NULL,
    name VARCHAR(255),
    node_id INTEGER,
    state VARCHAR(15) NOT NULL,
    last_error TEXT,
    resource_class VARCHAR(80),
    traits TEXT,
    candidate_nodes TEXT,
    extra TEXT,
    conductor_affinity INTEGER,
    owner VARCHAR(255),
    CONSTRAINT uniq_allocations0name UNIQUE (name),
    CONSTRAINT uniq_allocations0uuid UNIQUE (uuid),
    CONSTRAINT allocations_conductor_affinity_fkey FOREIGN KEY (conductor_affinity) REFERENCES conductors(id),
    CONSTRAINT allocations_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);

CREATE TABLE node_tags (
    created_at DATETIME,
    updated_at DATETIME,
    node_id INTEGER NOT NULL,
    tag VARCHAR(255) NOT NULL,
    version VARCHAR(15),
    CONSTRAINT node_tags_pkey PRIMARY KEY (node_id, tag),
    CONSTRAINT node_tags_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);
CREATE INDEX node_tags_idx ON node_tags (tag);

CREATE TABLE node_traits (
    version VARCHAR(15),
    created_at DATETIME,
    updated_at DATETIME,
    node_id INTEGER NOT NULL,
    trait VARCHAR(255) NOT NULL,
    CONSTRAINT node_traits_pkey PRIMARY KEY (node_id, trait),
    CONSTRAINT node_traits_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);
CREATE INDEX node_traits_idx ON node_traits (trait);

CREATE TABLE portgroups (
    created_at DATETIME,
    updated_at DATETIME,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid VARCHAR(36),
    name VARCHAR(255),
    node_id INTEGER,
    address VARCHAR(18),
    extra TEXT,
    internal_info TEXT,
    standalone_ports_supported BOOLEAN,
    properties TEXT,
    mode VARCHAR(255),
    version VARCHAR(15),
    CONSTRAINT uniq_portgroups0address UNIQUE (address),
    CONSTRAINT uniq_portgroups0name UNIQUE (name),
    CONSTRAINT uniq_portgroups0uuid UNIQUE (uuid),
    CONSTRAINT portgroups_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);

CREATE TABLE ports (
    created_at DATETIME,
    updated_at DATETIME,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid VARCHAR(36),
    address VARCHAR(18),
    node_id INTEGER,
    extra TEXT,
    local_link_connection TEXT,
    portgroup_id INTEGER,
    pxe_enabled BOOLEAN,
    internal_info TEXT,
    physical_network VARCHAR(64),
    version VARCHAR(15),
    is_smartnic BOOLEAN,
    name VARCHAR(255),
    CONSTRAINT uniq_ports0address UNIQUE (address),
    CONSTRAINT uniq_ports0name UNIQUE (name),
    CONSTRAINT uniq_ports0uuid UNIQUE (uuid),
    CONSTRAINT fk_portgroups_ports FOREIGN KEY (portgroup_id) REFERENCES portgroups(id),
    CONSTRAINT ports_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);

CREATE TABLE volume_connectors (
    created_at DATETIME,
    updated_at DATETIME,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid VARCHAR(36),
    node_id INTEGER,
    type VARCHAR(32),
    connector_id VARCHAR(255),
    extra TEXT,
    version VARCHAR(15),
    CONSTRAINT uniq_volumeconnectors0type0connector_id UNIQUE (type, connector_id),
    CONSTRAINT uniq_volumeconnectors0uuid UNIQUE (uuid),
    CONSTRAINT volume_connectors_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);

CREATE TABLE volume_targets (
    created_at DATETIME,
    updated_at DATETIME,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid VARCHAR(36),
    node_id INTEGER,
    volume_type VARCHAR(64),
    properties TEXT,
    boot_index INTEGER,
    volume_id VARCHAR(36),
    extra TEXT,
    version VARCHAR(15),
    CONSTRAINT uniq_volumetargets0node_id0boot_index UNIQUE (node_id, boot_index),
    CONSTRAINT uniq_volumetargets0uuid UNIQUE (uuid),
    CONSTRAINT volume_targets_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);

CREATE TABLE bios_settings (
    node_id INTEGER NOT NULL,
    created_at DATETIME,
    updated_at DATETIME,
    name VARCHAR(255) NOT NULL,
    value TEXT,
    version VARCHAR(15),
    attribute_type VARCHAR(255),
    allowable_values TEXT,
    lower_bound INTEGER,
    max_length INTEGER,
    min_length INTEGER,
    read_only BOOLEAN,
    reset_required BOOLEAN,
    "unique" BOOLEAN,
    upper_bound INTEGER,
    CONSTRAINT bios_settings_pkey PRIMARY KEY (node_id, name),
    CONSTRAINT bios_settings_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);

CREATE TABLE node_history (
    version VARCHAR(15),
    created_at DATETIME,
    updated_at DATETIME,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid VARCHAR(36) NOT NULL,
    conductor VARCHAR(255),
    event_type VARCHAR(255),
    severity VARCHAR(255),
    event TEXT,
    "user" VARCHAR(32),
    node_id INTEGER,
    CONSTRAINT uniq_history0uuid UNIQUE (uuid),
    CONSTRAINT node_history_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);
CREATE INDEX history_conductor_idx ON node_history (conductor);
CREATE INDEX history_node_id_idx ON node_history (node_id);
CREATE INDEX history_uuid_idx ON node_history (uuid);

CREATE TABLE node_inventory (
    version VARCHAR(15),
    created_at DATETIME,
    updated_at DATETIME,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    inventory_data TEXT,
    plugin_data TEXT,
    node_id INTEGER,
    CONSTRAINT node_inventory_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);
CREATE INDEX inventory_node_id_idx ON node_inventory (node_id);

-- +goose Down
DROP TABLE node_inventory;
DROP TABLE node_history;
DROP TABLE bios_settings;
DROP TABLE volume_targets;
DROP TABLE volume_connectors;
DROP TABLE ports;
DROP TABLE portgroups;
DROP TABLE node_traits;
DROP TABLE node_tags;
DROP TABLE allocations;
DROP TABLE nodes;
DROP TABLE chassis;
DROP TABLE conductor_hardware_interfaces;
DROP TABLE conductors;
