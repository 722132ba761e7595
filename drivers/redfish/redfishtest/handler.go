package redfishtest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"path"
	"strings"
)

const (
	serviceRoot  = "/redfish/v1"
	sessionsPath = "/redfish/v1/SessionService/Sessions"
	maxBody      = 1 << 20
	keptBody     = 64 << 10
)

// cleanPath normalizes a URL path: cleaned, no trailing slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	p = path.Clean("/" + p)
	return p
}

// resourceFile maps a URL path under /redfish/v1 to its mockup file.
func resourceFile(p string) (string, bool) {
	switch {
	case p == serviceRoot:
		return "index.json", true
	case strings.HasPrefix(p, serviceRoot+"/"):
		rest := strings.TrimPrefix(p, serviceRoot+"/")
		if rest == "$metadata" {
			return "$metadata/index.xml", true
		}
		return rest + "/index.json", true
	}
	return "", false
}

// publicPath reports whether p is readable without credentials, as the
// Redfish specification requires for the service root and metadata.
func publicPath(p string) bool {
	return p == "/redfish" || p == serviceRoot || p == serviceRoot+"/$metadata" || p == serviceRoot+"/odata"
}

// recorder captures the status of a response.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	rec := &recorder{ResponseWriter: w}
	p := cleanPath(r.URL.Path)

	s.mu.Lock()
	defer s.mu.Unlock()
	auth := s.authenticate(r, p)
	kept := body
	if len(kept) > keptBody {
		kept = kept[:keptBody]
	}
	defer func() {
		s.requests = append(s.requests, Request{Method: r.Method, Path: p, Auth: auth, Status: rec.status, Body: kept})
	}()
	if err != nil {
		writeError(rec, http.StatusRequestEntityTooLarge, "Base.1.8.GeneralError", "The request body is too large.")
		return
	}
	creatingSession := r.Method == http.MethodPost && p == sessionsPath && s.opts.Auth.sessions()
	if auth == "" && !publicPath(p) && !creatingSession {
		rec.Header().Set("WWW-Authenticate", `Basic realm="redfishtest"`)
		writeError(rec, http.StatusUnauthorized, "Base.1.8.NoValidSession",
			"There is no valid session established with the implementation.")
		return
	}
	if strings.HasPrefix(p, serviceRoot+"/SessionService") && !s.opts.Auth.sessions() {
		writeError(rec, http.StatusNotFound, "Base.1.8.ResourceMissingAtURI",
			fmt.Sprintf("The resource at the URI %s was not found.", p))
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.get(rec, r, p)
	case http.MethodPost:
		s.post(rec, p, body)
	case http.MethodPatch:
		s.patch(rec, p, body)
	case http.MethodDelete:
		s.delete(rec, p)
	default:
		writeError(rec, http.StatusMethodNotAllowed, "Base.1.8.OperationNotAllowed",
			fmt.Sprintf("The HTTP method %s is not allowed on %s.", r.Method, p))
	}
}

// authenticate returns "basic", "session" or "" for the request.
func (s *Server) authenticate(r *http.Request, p string) string {
	if tok := r.Header.Get("X-Auth-Token"); tok != "" {
		if _, ok := s.sessions[tok]; ok && s.opts.Auth.sessions() {
			return "session"
		}
		return ""
	}
	user, pass, ok := r.BasicAuth()
	if !ok || s.opts.Auth == AuthSessionOnly {
		return ""
	}
	if subtle.ConstantTimeCompare([]byte(user), []byte(s.opts.Username)) == 1 &&
		subtle.ConstantTimeCompare([]byte(pass), []byte(s.opts.Password)) == 1 {
		return "basic"
	}
	return ""
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, p string) {
	if body, ok := s.overrides[p]; ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(body)
		}
		return
	}
	switch {
	case p == "/redfish":
		writeJSON(w, http.StatusOK, map[string]any{"v1": "/redfish/v1/"})
		return
	case s.systems[p] != nil:
		writeJSON(w, http.StatusOK, s.render(s.systems[p]))
		return
	case p == sessionsPath:
		writeJSON(w, http.StatusOK, s.sessionCollection())
		return
	case strings.HasPrefix(p, sessionsPath+"/"):
		for _, id := range s.sessions {
			if id == p {
				writeJSON(w, http.StatusOK, sessionDoc(id, s.opts.Username))
				return
			}
		}
		notFound(w, p)
		return
	}
	rel, ok := resourceFile(p)
	if !ok {
		notFound(w, p)
		return
	}
	data, err := fs.ReadFile(s.files, rel)
	if err != nil {
		notFound(w, p)
		return
	}
	if strings.HasSuffix(rel, ".xml") {
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write(data)
		return
	}
	if p == serviceRoot || s.isActionInfo(p) {
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			writeError(w, http.StatusInternalServerError, "Base.1.8.InternalError", err.Error())
			return
		}
		if p == serviceRoot {
			doc = s.renderRoot(doc)
		} else {
			doc = renderActionInfo(doc, emulatorResetTypes)
		}
		writeJSON(w, http.StatusOK, doc)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("OData-Version", "4.0")
	_, _ = w.Write(data)
}

func (s *Server) isActionInfo(p string) bool {
	for _, sys := range s.systems {
		if sys.actionInfo == p {
			return true
		}
	}
	return false
}

// renderRoot drops what the server does not implement: $expand, and the
// SessionService unless sessions are on.
func (s *Server) renderRoot(doc map[string]any) map[string]any {
	out := maps.Clone(doc)
	if pf, ok := out["ProtocolFeaturesSupported"].(map[string]any); ok {
		pf = maps.Clone(pf)
		delete(pf, "ExpandQuery")
		out["ProtocolFeaturesSupported"] = pf
	}
	if !s.opts.Auth.sessions() {
		delete(out, "SessionService")
		if links, ok := out["Links"].(map[string]any); ok {
			links = maps.Clone(links)
			delete(links, "Sessions")
			out["Links"] = links
		}
	} else {
		links, _ := out["Links"].(map[string]any)
		links = maps.Clone(links)
		if links == nil {
			links = map[string]any{}
		}
		links["Sessions"] = map[string]any{"@odata.id": sessionsPath}
		out["Links"] = links
		out["SessionService"] = map[string]any{"@odata.id": serviceRoot + "/SessionService"}
	}
	return out
}

func (s *Server) post(w http.ResponseWriter, p string, body []byte) {
	if p == sessionsPath && s.opts.Auth.sessions() {
		s.createSession(w, body)
		return
	}
	for _, sys := range s.systems {
		if sys.resetTarget == "" || sys.resetTarget != p {
			continue
		}
		var req map[string]any
		if err := json.Unmarshal(body, &req); err != nil {
			writeError(w, http.StatusBadRequest, "Base.1.8.MalformedJSON", "The request body submitted was malformed JSON.")
			return
		}
		rt, ok := req["ResetType"].(string)
		if !ok {
			writeError(w, http.StatusBadRequest, "Base.1.8.ActionParameterMissing",
				"The action ComputerSystem.Reset requires the parameter ResetType to be present in the request body.")
			return
		}
		status, id, msg := s.reset(sys, rt)
		if status >= 300 {
			writeError(w, status, id, msg)
			return
		}
		w.WriteHeader(status)
		return
	}
	if _, ok := resourceFile(p); ok && strings.Contains(p, "/Actions/") {
		writeError(w, http.StatusNotImplemented, "Base.1.8.ActionNotSupported",
			fmt.Sprintf("The action at %s is not supported by the resource.", p))
		return
	}
	writeError(w, http.StatusMethodNotAllowed, "Base.1.8.OperationNotAllowed",
		fmt.Sprintf("The HTTP method POST is not allowed on %s.", p))
}

func (s *Server) patch(w http.ResponseWriter, p string, body []byte) {
	sys := s.systems[p]
	if sys == nil {
		if rel, ok := resourceFile(p); ok {
			if _, err := fs.Stat(s.files, rel); err == nil {
				writeError(w, http.StatusMethodNotAllowed, "Base.1.8.OperationNotAllowed",
					fmt.Sprintf("The HTTP method PATCH is not allowed on %s.", p))
				return
			}
		}
		notFound(w, p)
		return
	}
	var req map[string]any
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "Base.1.8.MalformedJSON", "The request body submitted was malformed JSON.")
		return
	}
	status, id, msg := s.patchBoot(sys, req)
	if status >= 300 {
		writeError(w, status, id, msg)
		return
	}
	w.WriteHeader(status)
}

func (s *Server) delete(w http.ResponseWriter, p string) {
	if strings.HasPrefix(p, sessionsPath+"/") && s.opts.Auth.sessions() {
		for tok, id := range s.sessions {
			if id == p {
				delete(s.sessions, tok)
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		notFound(w, p)
		return
	}
	writeError(w, http.StatusMethodNotAllowed, "Base.1.8.OperationNotAllowed",
		fmt.Sprintf("The HTTP method DELETE is not allowed on %s.", p))
}

func (s *Server) createSession(w http.ResponseWriter, body []byte) {
	var req struct {
		UserName *string
		Password *string
	}
	if err := json.Unmarshal(body, &req); err != nil || req.UserName == nil || req.Password == nil {
		writeError(w, http.StatusBadRequest, "Base.1.8.PropertyMissing",
			"The property UserName or Password is a required property and must be included in the request.")
		return
	}
	if subtle.ConstantTimeCompare([]byte(*req.UserName), []byte(s.opts.Username)) != 1 ||
		subtle.ConstantTimeCompare([]byte(*req.Password), []byte(s.opts.Password)) != 1 {
		writeError(w, http.StatusUnauthorized, "Base.1.8.InsufficientPrivilege",
			"There are insufficient privileges for the account or credentials associated with the current session to perform the requested operation.")
		return
	}
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	tok := hex.EncodeToString(raw[:])
	s.nextSess++
	id := fmt.Sprintf("%s/%d", sessionsPath, s.nextSess)
	s.sessions[tok] = id
	w.Header().Set("X-Auth-Token", tok)
	w.Header().Set("Location", id)
	writeJSON(w, http.StatusCreated, sessionDoc(id, s.opts.Username))
}

func (s *Server) sessionCollection() map[string]any {
	members := []any{}
	for _, id := range s.sessions {
		members = append(members, map[string]any{"@odata.id": id})
	}
	return map[string]any{
		"@odata.id":           sessionsPath,
		"@odata.type":         "#SessionCollection.SessionCollection",
		"Name":                "Session Collection",
		"Members":             members,
		"Members@odata.count": len(members),
	}
}

func sessionDoc(id, user string) map[string]any {
	return map[string]any{
		"@odata.id":   id,
		"@odata.type": "#Session.v1_7_0.Session",
		"Id":          path.Base(id),
		"Name":        "User Session",
		"UserName":    user,
	}
}

func notFound(w http.ResponseWriter, p string) {
	writeError(w, http.StatusNotFound, "Base.1.8.ResourceMissingAtURI",
		fmt.Sprintf("The resource at the URI %s was not found.", p))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("OData-Version", "4.0")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// writeError answers a Redfish error object.
func writeError(w http.ResponseWriter, status int, messageID, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code":    messageID,
		"message": message,
		"@Message.ExtendedInfo": []any{map[string]any{
			"@odata.type": "#Message.v1_1_1.Message",
			"MessageId":   messageID,
			"Message":     message,
			"Severity":    "Critical",
		}},
	}})
}
