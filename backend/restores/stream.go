package restores

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"borgdesk/backend/fault"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

// streams are the streamed restores being sent now, by task, so that a
// task's end (completed, failed, cancelled) stops its stream at once.
type streams struct {
	mu      sync.Mutex
	cancels map[int64]map[*context.CancelFunc]struct{}
}

func (s *streams) add(task int64, cancel *context.CancelFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancels == nil {
		s.cancels = map[int64]map[*context.CancelFunc]struct{}{}
	}
	if s.cancels[task] == nil {
		s.cancels[task] = map[*context.CancelFunc]struct{}{}
	}
	s.cancels[task][cancel] = struct{}{}
}

func (s *streams) remove(task int64, cancel *context.CancelFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.cancels[task], cancel)
	if len(s.cancels[task]) == 0 {
		delete(s.cancels, task)
	}
}

// end stops every stream of a task.
func (s *streams) end(task int64) {
	s.mu.Lock()
	cancels := s.cancels[task]
	delete(s.cancels, task)
	s.mu.Unlock()
	for c := range cancels {
		(*c)()
	}
}

// TaskStream is the data of one running streamed restore task.
type TaskStream struct {
	// ContentType is application/x-tar for files, application/octet-stream
	// for a database dump.
	ContentType string
	r           *Restores
	task        int64
	send        func(ctx context.Context, w io.Writer) error
}

// streamedTask is what a streamed restore payload says about its source.
type streamedTask struct {
	Source  string   `json:"source"`
	Archive string   `json:"archive"`
	Paths   []string `json:"paths"`
	Dump    string   `json:"dump"`
	Stream  bool     `json:"stream"`
}

// OpenTaskStream checks that task id is a streamed restore of this agent's
// server that is running now, and returns its data to send. The agent is
// the one its client certificate names; the task id grants nothing.
func (r *Restores) OpenTaskStream(ctx context.Context, agentUUID string, id int64) (*TaskStream, error) {
	t, p, err := r.runningStream(ctx, agentUUID, id)
	if err != nil {
		return nil, err
	}
	loc, err := r.env.Locate(ctx, p.Source)
	if err != nil {
		return nil, fmt.Errorf("restore task %d: the source repository: %w", id, err)
	}
	if !loc.Local() {
		return nil, fmt.Errorf("%w: restore task %d: the source repository moved to storage target %s; restore onto its own server", fault.ErrConflict, id, loc.Target.Name)
	}
	ts := &TaskStream{r: r, task: id}
	if t.Type == agentapi.TaskDBRestore {
		ts.ContentType = "application/octet-stream"
		ts.send = func(ctx context.Context, w io.Writer) error {
			return r.reader().ExtractStdout(ctx, loc.Read, p.Archive, p.Dump, w)
		}
	} else {
		ts.ContentType = "application/x-tar"
		ts.send = func(ctx context.Context, w io.Writer) error {
			return r.reader().ExportTar(ctx, loc.Read, p.Archive, p.Paths, w)
		}
	}
	return ts, nil
}

// runningStream returns task id if it belongs to the agent's server, is a
// streamed restore and is running.
func (r *Restores) runningStream(ctx context.Context, agentUUID string, id int64) (store.Task, streamedTask, error) {
	var p streamedTask
	sv, err := r.env.AgentServer(ctx, agentUUID)
	if err != nil {
		return store.Task{}, p, err
	}
	t, err := r.st.Task(ctx, id)
	if err != nil || t.ServerID != sv.ID {
		return store.Task{}, p, fmt.Errorf("%w: task %d is not this agent's", fault.ErrNotFound, id)
	}
	if t.Type == agentapi.TaskRestore || t.Type == agentapi.TaskDBRestore {
		json.Unmarshal(t.Payload, &p)
	}
	if !p.Stream || p.Source == "" {
		return t, p, fmt.Errorf("%w: task %d (%s) has no stream", fault.ErrConflict, id, t.Type)
	}
	if t.Status != store.TaskRunning {
		return t, p, fmt.Errorf("%w: task %d is %s: its stream is closed", fault.ErrConflict, id, t.Status)
	}
	return t, p, nil
}

// Send writes the stream to w until it is complete, ctx ends or the task
// ends, whichever comes first.
func (ts *TaskStream) Send(ctx context.Context, w io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ts.r.streams.add(ts.task, &cancel)
	defer ts.r.streams.remove(ts.task, &cancel)
	// The task may have ended between the check and the registration.
	if t, err := ts.r.st.Task(ctx, ts.task); err != nil || t.Status != store.TaskRunning {
		return fmt.Errorf("restore task %d is no longer running", ts.task)
	}
	if err := ts.send(ctx, w); err != nil {
		return fmt.Errorf("restore task %d: reading the archive: %w", ts.task, err)
	}
	return nil
}
