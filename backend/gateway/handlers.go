package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"borgdesk/backend/fault"
	"borgdesk/backend/fleet"
	"borgdesk/backend/rollout"
	"borgdesk/backend/shared/agentapi"
)

type ctxKey struct{}

// agentID is the UUID of the certificate that authenticated the request.
func agentID(ctx context.Context) string { s, _ := ctx.Value(ctxKey{}).(string); return s }

func (g *Gateway) routes() {
	g.mux.HandleFunc("GET "+agentapi.PathHealth, g.health)
	g.mux.HandleFunc("POST "+agentapi.PathRegister, g.register)
	g.mux.HandleFunc("GET /api/install/{token}", g.installScript)
	g.mux.HandleFunc("GET /api/install/agent/{arch}", g.installBinary)
	g.mux.Handle("POST "+agentapi.PathHeartbeat, g.agent(g.heartbeat))
	g.mux.Handle("GET "+agentapi.PathTasks, g.agent(g.tasks))
	g.mux.Handle("POST "+agentapi.PathTaskStart, g.agent(g.taskStart))
	g.mux.Handle("POST "+agentapi.PathTaskProgress, g.agent(g.taskProgress))
	g.mux.Handle("POST "+agentapi.PathTaskComplete, g.agent(g.taskComplete))
	g.mux.Handle("POST "+agentapi.PathRenew, g.agent(g.renew))
	g.mux.Handle("POST "+agentapi.PathUpdateCheck, g.agent(g.updateCheck))
	g.mux.Handle("GET "+agentapi.PathUpdateFetch, g.agent(g.updateDownload))
	g.mux.Handle("GET "+agentapi.PathFlxBlob, g.agent(g.flxDownload))
	g.mux.Handle("GET "+agentapi.PathTaskStream, g.agent(g.taskStream))
	g.mux.Handle("PUT "+agentapi.PathFlxBlob, g.agent(g.flxUpload))
	g.mux.Handle("GET "+agentapi.PathSchedule, g.agent(g.schedule))
	g.mux.Handle("POST "+agentapi.PathOfflineRuns, g.agent(g.offlineRuns))
}

// agent wraps a handler that needs a client certificate.
func (g *Gateway) agent(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
			g.fail(w, r, http.StatusUnauthorized, agentapi.CodeUnauthorized, "a client certificate is required: enroll this agent with `borgdesk-agent enroll`")
			return
		}
		id, err := g.cfg.Fleet.CertificateAllowed(r.TLS.PeerCertificates[0])
		switch {
		case errors.Is(err, fleet.ErrSuperseded):
			// Renewed after this connection's handshake.
			g.fail(w, r, http.StatusForbidden, agentapi.CodeSuperseded, err.Error())
			return
		case err != nil:
			// Revoked after this connection's handshake.
			g.fail(w, r, http.StatusForbidden, agentapi.CodeForbidden, "this agent is revoked or not enrolled: enroll it again with a new token")
			return
		}
		v, _ := strconv.Atoi(r.Header.Get(agentapi.ProtocolHeader))
		if err := fleet.CheckProtocol(v); err != nil {
			g.fail(w, r, http.StatusBadRequest, agentapi.CodeProtocolMismatch, err.Error())
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, id))
		if err := h(w, r); err != nil {
			g.writeErr(w, r, err)
		}
	})
}

func (g *Gateway) health(w http.ResponseWriter, r *http.Request) {
	// No version: a stranger learns nothing that would pick an exploit.
	writeJSON(w, http.StatusOK, agentapi.Health{Status: "ok", ProtocolVersion: agentapi.ProtocolVersion})
}

// installScript serves the one-line install's shell script, once per link:
// the fetch spends the token in the path (a secret, never logged). A
// refusal is a script too, which tells the `sh` it is piped into why.
func (g *Gateway) installScript(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/x-shellscript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	script, err := g.cfg.Fleet.InstallScript(r.Context(), r.PathValue("token"))
	switch {
	case errors.Is(err, fleet.ErrInstallLinkUsed):
		w.WriteHeader(http.StatusGone)
		io.WriteString(w, rollout.UsedScript)
	case err != nil:
		if !errors.Is(err, fault.ErrNotFound) {
			g.log.Error("install script", "err", err)
		}
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, rollout.RefusedScript)
	default:
		io.WriteString(w, script)
	}
}

// installBinary serves the agent build to a one-line install, which shows
// the enrollment secret its script carries in a header.
func (g *Gateway) installBinary(w http.ResponseWriter, r *http.Request) {
	secret := r.Header.Get(rollout.InstallSecretHeader)
	if secret == "" {
		http.Error(w, "no install secret: run the one-line install command from borgdesk token create", http.StatusNotFound)
		return
	}
	path, err := g.cfg.Fleet.InstallBinary(r.Context(), secret, r.PathValue("arch"))
	if err != nil {
		http.Error(w, "unknown, used or expired install link, or no build for that architecture", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "no-store")
	http.ServeFile(w, r, path)
}

func (g *Gateway) register(w http.ResponseWriter, r *http.Request) {
	var req agentapi.RegisterRequest
	if err := decode(w, r, &req); err != nil {
		g.writeErr(w, r, err)
		return
	}
	resp, err := g.cfg.Fleet.Register(r.Context(), req)
	if err != nil {
		g.writeErr(w, r, err)
		return
	}
	g.log.Info("agent enrolled", "name", resp.Name, "uuid", resp.AgentUUID, "remote", r.RemoteAddr)
	writeJSON(w, http.StatusOK, resp)
}

func (g *Gateway) heartbeat(w http.ResponseWriter, r *http.Request) error {
	var req agentapi.HeartbeatRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	resp, err := g.cfg.Fleet.Heartbeat(r.Context(), agentID(r.Context()), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// schedule hands an agent its signed offline schedule.
func (g *Gateway) schedule(w http.ResponseWriter, r *http.Request) error {
	resp, err := g.cfg.Fleet.Schedule(r.Context(), agentID(r.Context()))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store") // it carries passphrases
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// offlineRuns takes the runs an agent made while the coordinator was closed.
func (g *Gateway) offlineRuns(w http.ResponseWriter, r *http.Request) error {
	var req agentapi.OfflineRunsRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	resp, err := g.cfg.Fleet.DeliverOfflineRuns(r.Context(), agentID(r.Context()), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (g *Gateway) tasks(w http.ResponseWriter, r *http.Request) error {
	// max=0 claims nothing: a cheap authenticated check (selfcheck).
	max, err := strconv.Atoi(r.URL.Query().Get("max"))
	if err != nil || max < 0 {
		max = 1
	}
	if max > 64 {
		max = 64
	}
	wait := g.cfg.LongPoll
	if s := r.URL.Query().Get("wait"); s != "" {
		if secs, err := strconv.Atoi(s); err == nil && secs >= 0 && time.Duration(secs)*time.Second < wait {
			wait = time.Duration(secs) * time.Second
		}
	}
	tasks, err := g.cfg.Fleet.WaitTasks(r.Context(), agentID(r.Context()), max, wait)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, agentapi.TasksResponse{Tasks: tasks})
	return nil
}

func taskID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: task id %q", fault.ErrInvalid, r.PathValue("id"))
	}
	return id, nil
}

func (g *Gateway) taskStart(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	var empty struct{}
	if err := decodeOptional(w, r, &empty); err != nil {
		return err
	}
	if err := g.cfg.Fleet.StartTask(r.Context(), agentID(r.Context()), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}

// flxDownload serves a running restore or diff task its snapshot.
func (g *Gateway) flxDownload(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	path, err := g.cfg.Fleet.FlxForTask(r.Context(), agentID(r.Context()), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeFile(w, r, path)
	return nil
}

// taskStream sends a running streamed restore its data. The outcome goes
// in a trailer: the agent uses the data only when it says complete.
func (g *Gateway) taskStream(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	stream, err := g.cfg.Fleet.OpenTaskStream(r.Context(), agentID(r.Context()), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", stream.ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Trailer", agentapi.StreamTrailer)
	w.WriteHeader(http.StatusOK)
	outcome := agentapi.StreamComplete
	if err := stream.Send(r.Context(), w); err != nil {
		g.log.Warn("restore stream failed", "task", id, "agent", agentID(r.Context()), "err", err)
		outcome = headerSafe(err.Error())
	}
	w.Header().Set(agentapi.StreamTrailer, outcome)
	return nil
}

// headerSafe makes s one header line.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// flxUpload receives the snapshot a running flx-backup task made.
func (g *Gateway) flxUpload(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	extendRead(w, uploadReadTimeout) // a large snapshot over a slow link
	stored, err := g.cfg.Fleet.StoreFlxUpload(r.Context(), agentID(r.Context()), id, r.URL.Query().Get("name"), r.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"stored": stored})
	return nil
}

func (g *Gateway) taskProgress(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	var p agentapi.TaskProgress
	if err := decode(w, r, &p); err != nil {
		return err
	}
	if err := g.cfg.Fleet.ProgressTask(r.Context(), agentID(r.Context()), id, p); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}

func (g *Gateway) taskComplete(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	var c agentapi.TaskComplete
	if err := decode(w, r, &c); err != nil {
		return err
	}
	if err := g.cfg.Fleet.CompleteTask(r.Context(), agentID(r.Context()), id, c); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}

func (g *Gateway) renew(w http.ResponseWriter, r *http.Request) error {
	var req agentapi.RenewRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	resp, err := g.cfg.Fleet.RenewCertificate(r.Context(), r.TLS.PeerCertificates[0], req.CSR)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (g *Gateway) updateCheck(w http.ResponseWriter, r *http.Request) error {
	var req agentapi.UpdateCheckRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	resp, err := g.cfg.Fleet.UpdateCheck(r.Context(), agentID(r.Context()), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (g *Gateway) updateDownload(w http.ResponseWriter, r *http.Request) error {
	bin, err := g.cfg.Fleet.UpdateBinary(r.Context(), agentID(r.Context()), r.URL.Query().Get("os"), r.URL.Query().Get("arch"))
	if err != nil {
		return err
	}
	f, err := os.Open(bin.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("X-Borgdesk-Version", bin.Version)
	w.Header().Set("X-Borgdesk-SHA256", bin.SHA256)
	w.Header().Set("X-Borgdesk-Signature", bin.Signature)
	w.Header().Set("Content-Length", strconv.FormatInt(bin.Size, 10))
	// Headers are sent: a failed copy (the agent went away) cannot be
	// reported in the body, and the agent checks the hash anyway.
	io.Copy(w, f)
	return nil
}

// decode reads a size-limited JSON body strictly: unknown fields, trailing
// data and oversized bodies are refused.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, agentapi.MaxBodyBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge
		}
		return fmt.Errorf("%w: request body: %v", fault.ErrInvalid, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: request body: trailing data after the JSON object", fault.ErrInvalid)
	}
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge
		}
	}
	return nil
}

// decodeOptional is decode for routes whose body may be empty.
func decodeOptional(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decode(w, r, v)
}

var errTooLarge = fmt.Errorf("request body larger than %d bytes", agentapi.MaxBodyBytes)

func (g *Gateway) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	status, code := http.StatusInternalServerError, agentapi.CodeInternal
	switch {
	case errors.Is(err, errTooLarge):
		status, code = http.StatusRequestEntityTooLarge, agentapi.CodeTooLarge
	case errors.Is(err, fleet.ErrProtocol):
		status, code = http.StatusBadRequest, agentapi.CodeProtocolMismatch
	case errors.Is(err, fleet.ErrToken):
		status, code = http.StatusForbidden, agentapi.CodeTokenInvalid
	case errors.Is(err, fleet.ErrForbidden):
		status, code = http.StatusForbidden, agentapi.CodeForbidden
	case errors.Is(err, fault.ErrInvalid):
		status, code = http.StatusBadRequest, agentapi.CodeBadRequest
	case errors.Is(err, fault.ErrNotFound):
		status, code = http.StatusNotFound, agentapi.CodeNotFound
	case errors.Is(err, fault.ErrConflict):
		status, code = http.StatusConflict, agentapi.CodeConflict
	}
	if status == http.StatusInternalServerError {
		g.log.Error("agent gateway", "path", r.URL.Path, "agent", agentID(r.Context()), "err", err)
	}
	g.fail(w, r, status, code, err.Error())
}

func (g *Gateway) fail(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	if status != http.StatusInternalServerError {
		g.log.Debug("agent gateway refused a request", "path", r.URL.Path, "status", status, "code", code, "remote", r.RemoteAddr)
	}
	writeJSON(w, status, agentapi.Error{Code: code, Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
