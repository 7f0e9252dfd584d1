// Package offline keeps what an agent needs to back up while the
// coordinator is closed: the coordinator-signed schedule bundle (jobs whose
// repository is on a storage node or a hosted service), the last slot run
// of each job, and a queue of runs made on its own, delivered oldest first
// when the coordinator is back. Everything lives under DIR/offline; the
// repositories' passphrases are never written here (the runner keeps them
// in memory).
package offline

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/atomicfile"
	"borgdesk/backend/shared/schedule"
)

// Store is an agent's offline state.
type Store struct {
	dir   string
	agent string
	ca    []byte

	mu     sync.Mutex
	bundle *agentapi.ScheduleBundle
}

// Open reads the state under stateDir/offline. caPEM is the pinned CA
// certificate that signs bundles; agent is this agent's UUID.
func Open(stateDir, agent string, caPEM []byte) (*Store, error) {
	s := &Store{dir: filepath.Join(stateDir, "offline"), agent: agent, ca: caPEM}
	if err := os.MkdirAll(filepath.Join(s.dir, "queue"), 0o700); err != nil {
		return nil, fmt.Errorf("offline state: %w", err)
	}
	raw, err := os.ReadFile(filepath.Join(s.dir, "schedule.json"))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("offline schedule: %w", err)
	}
	var signed agentapi.SignedSchedule
	if err := json.Unmarshal(raw, &signed); err != nil {
		return s, fmt.Errorf("offline schedule %s is damaged (%v); the coordinator sends a new one when it is next reached", filepath.Join(s.dir, "schedule.json"), err)
	}
	b, err := agentapi.VerifySchedule(caPEM, signed, agent)
	if err != nil {
		return s, fmt.Errorf("offline schedule %s: %w", filepath.Join(s.dir, "schedule.json"), err)
	}
	s.bundle = &b
	return s, nil
}

// Serial is the serial of the bundle held ("" none).
func (s *Store) Serial() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bundle == nil {
		return ""
	}
	return s.bundle.Serial
}

// Bundle is the bundle held (nil none).
func (s *Store) Bundle() *agentapi.ScheduleBundle {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bundle
}

// Replace verifies and keeps a new signed bundle (empty: drop the one held).
func (s *Store) Replace(signed agentapi.SignedSchedule) error {
	if len(signed.Bundle) == 0 {
		s.mu.Lock()
		s.bundle = nil
		s.mu.Unlock()
		err := os.Remove(filepath.Join(s.dir, "schedule.json"))
		if errors.Is(err, os.ErrNotExist) {
			err = nil
		}
		return err
	}
	b, err := agentapi.VerifySchedule(s.ca, signed, s.agent)
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(signed)
	if err := atomicfile.Write(filepath.Join(s.dir, "schedule.json"), raw, 0o600); err != nil {
		return fmt.Errorf("save offline schedule: %w", err)
	}
	s.mu.Lock()
	s.bundle = &b
	s.mu.Unlock()
	return nil
}

// Due is a job slot to run now.
type Due struct {
	Job  agentapi.OfflineJob
	Slot time.Time
}

// DueJobs are the jobs with a slot due at now: one run per job however
// many slots were missed (like the coordinator's catch-up).
func (s *Store) DueJobs(now time.Time) []Due {
	b := s.Bundle()
	if b == nil {
		return nil
	}
	last := s.lastSlots()
	var out []Due
	for _, j := range b.Jobs {
		sched, err := schedule.Parse(j.Schedule)
		if err != nil {
			continue
		}
		from := b.IssuedAt
		if j.LastScheduledAt != nil && j.LastScheduledAt.After(from) {
			from = *j.LastScheduledAt
		}
		if t, ok := last[j.ID]; ok && t.After(from) {
			from = t
		}
		if sched.Due(from, now) {
			out = append(out, Due{Job: j, Slot: now})
		}
	}
	return out
}

// MarkSlot records that a job's slot was taken (before the run starts, so
// a crash mid-run does not loop).
func (s *Store) MarkSlot(job int64, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	last := s.lastSlotsLocked()
	last[job] = at
	raw, _ := json.Marshal(last)
	return atomicfile.Write(filepath.Join(s.dir, "slots.json"), raw, 0o600)
}

func (s *Store) lastSlots() map[int64]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastSlotsLocked()
}

func (s *Store) lastSlotsLocked() map[int64]time.Time {
	m := map[int64]time.Time{}
	raw, err := os.ReadFile(filepath.Join(s.dir, "slots.json"))
	if err == nil {
		json.Unmarshal(raw, &m)
	}
	return m
}

// NewRunID is a random ID for a queued run.
func NewRunID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Enqueue keeps a finished run until the coordinator has it.
func (s *Store) Enqueue(r agentapi.OfflineRun) error {
	name := fmt.Sprintf("%020d-%s.json", r.StartedAt.UnixNano(), r.ID)
	raw, _ := json.Marshal(r)
	return atomicfile.Write(filepath.Join(s.dir, "queue", name), raw, 0o600)
}

// Queued are the runs waiting for the coordinator, oldest first. A damaged
// file is set aside (renamed .damaged) rather than blocking the queue.
func (s *Store) Queued() ([]agentapi.OfflineRun, error) {
	dir := filepath.Join(s.dir, "queue")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	var out []agentapi.OfflineRun
	for _, n := range names {
		raw, err := os.ReadFile(filepath.Join(dir, n))
		var r agentapi.OfflineRun
		if err == nil {
			err = json.Unmarshal(raw, &r)
		}
		if err != nil || r.ID == "" {
			os.Rename(filepath.Join(dir, n), filepath.Join(dir, n+".damaged"))
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// Delivered drops queued runs the coordinator recorded.
func (s *Store) Delivered(ids []string) error {
	dir := filepath.Join(s.dir, "queue")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		for _, id := range ids {
			if strings.HasSuffix(e.Name(), "-"+id+".json") {
				if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
