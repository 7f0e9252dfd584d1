package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"borgdesk/backend/events"
	"borgdesk/backend/fault"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/shared/borg"
	"borgdesk/backend/store"
)

// A job's whole life after it was created: edited (with the changes said
// before they are applied), paused and resumed, duplicated, deleted with or
// without its archives. A change applies from the job's next run: a run
// already queued or running keeps the task it was given.

// FieldChange is one thing an edit changes, in the operator's words: the
// field as the job's JSON names it ("spec.paths", "schedule",
// "keep.daily") with its value before and after, as JSON.
type FieldChange struct {
	Field string `json:"field"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// EditResult is an edit: what it changes and the job as it is after (as
// it would be, for a preview).
type EditResult struct {
	Job     store.Job     `json:"job"`
	Changes []FieldChange `json:"changes"`
	// Applied is false for a preview, and for an edit that changed nothing.
	Applied bool `json:"applied"`
}

// Edit checks in as Create does and, unless preview is set, replaces the
// job's definition with it. in.Server and in.Name may be empty (they
// default to the job's own) but cannot differ: a job's archives are named
// after it, and its repository is its server's. Nor can the kind change.
// A new schedule counts from now.
func (d *Definitions) Edit(ctx context.Context, ref string, in Input, preview bool) (EditResult, error) {
	j, err := d.st.FindJob(ctx, ref)
	if err != nil {
		return EditResult{}, err
	}
	if in.Server != "" {
		sv, err := d.env.Server(ctx, in.Server)
		if err != nil {
			return EditResult{}, err
		}
		if sv.ID != j.ServerID {
			return EditResult{}, fmt.Errorf("%w: job %s backs up %s, not %s: a job cannot move to another server (duplicate it there: borgdesk job duplicate %s/%s NAME --server %s)",
				fault.ErrInvalid, j.Name, j.ServerName, sv.Name, j.ServerName, j.Name, sv.Name)
		}
	}
	if in.Name != "" && in.Name != j.Name {
		return EditResult{}, fmt.Errorf("%w: a job keeps its name (its archives are named after it): duplicate %s as %s, then delete %s", fault.ErrInvalid, j.Name, in.Name, j.Name)
	}
	if in.Spec.Kind != j.Kind {
		return EditResult{}, fmt.Errorf("%w: job %s is a %s job; its kind cannot become %q (create a new job for that)", fault.ErrInvalid, j.Name, j.Kind, in.Spec.Kind)
	}
	if err := checkDefinition(in); err != nil {
		return EditResult{}, err
	}
	if in.Version != "" && in.Version != Version(j) {
		return EditResult{}, changedSince(j)
	}
	def := definitionOf(in)
	changes := diffJob(j, def)
	after := j
	after.Spec, after.Schedule, after.Keep, after.NotifySuccess = def.Spec, def.Schedule, def.Keep, def.NotifySuccess
	if preview || len(changes) == 0 {
		return EditResult{Job: after, Changes: changes}, nil
	}
	scheduleChanged := def.Schedule != j.Schedule
	if after, err = d.st.UpdateJob(ctx, j.ID, def, scheduleChanged, j.UpdatedAt); errors.Is(err, store.ErrConflict) {
		return EditResult{}, changedSince(j) // changed between the read and the write
	} else if err != nil {
		return EditResult{}, err
	}
	fields := make([]string, len(changes))
	for i, c := range changes {
		fields[i] = c.Field
	}
	d.events.Publish(ctx, events.JobChanged, j.ServerUUID, fmt.Sprintf("job %s of %s edited (%s); it applies from the next run", j.Name, j.ServerName, strings.Join(fields, ", ")),
		map[string]any{"job_id": j.ID, "changes": fields})
	return EditResult{Job: after, Changes: changes, Applied: true}, nil
}

// SetEnabled pauses (false) or resumes a job's schedule. A paused job
// keeps its archives and its runs, can still be run by hand, and shows as
// paused (never red) in the health; resumed, its schedule counts from now.
func (d *Definitions) SetEnabled(ctx context.Context, ref string, enabled bool) (store.Job, error) {
	j, err := d.st.FindJob(ctx, ref)
	if err != nil {
		return store.Job{}, err
	}
	if j.Enabled == enabled {
		return j, nil
	}
	if j, err = d.st.SetJobEnabled(ctx, j.ID, enabled); err != nil {
		return store.Job{}, err
	}
	what := "paused: its schedule no longer runs it (its archives are kept)"
	if enabled {
		what = "resumed: its schedule runs it again from now"
	}
	d.events.Publish(ctx, events.JobChanged, j.ServerUUID, fmt.Sprintf("job %s of %s %s", j.Name, j.ServerName, what), map[string]any{"job_id": j.ID, "enabled": enabled})
	return j, nil
}

// Duplicate creates a copy of a job under a new name, on the same server
// or on server when it is not empty. The copy starts with no runs and no
// drill schedule, paused if the original is.
func (d *Definitions) Duplicate(ctx context.Context, ref, name, server string) (store.Job, error) {
	j, err := d.st.FindJob(ctx, ref)
	if err != nil {
		return store.Job{}, err
	}
	in, err := InputOf(j)
	if err != nil {
		return store.Job{}, err
	}
	in.Name = name
	if server != "" {
		in.Server = server
	}
	c, err := d.Create(ctx, in)
	if err != nil {
		return store.Job{}, err
	}
	if !j.Enabled {
		return d.st.SetJobEnabled(ctx, c.ID, false)
	}
	return c, nil
}

// DeleteRequest deletes a job. Its archives are kept unless WithArchives
// is set, which needs Confirm to be the job's name, typed.
type DeleteRequest struct {
	WithArchives bool   `json:"with_archives"`
	Confirm      string `json:"confirm"`
}

// DeleteReport is what a delete did.
type DeleteReport struct {
	Job store.Job `json:"job"`
	// ArchivesDeleted names the archives deleted with the job; ArchivesKept
	// is true when they were left in the repository.
	ArchivesDeleted []string `json:"archives_deleted"`
	ArchivesKept    bool     `json:"archives_kept"`
}

// Delete forgets a job and its runs. A job with a run queued or running is
// refused (cancel the run first). Its archives stay in the repository
// unless req asks, with the job's name typed, to delete them too; those
// are deleted first (Env.DeleteArchives), so a failure leaves the job.
func (d *Definitions) Delete(ctx context.Context, ref string, req DeleteRequest) (DeleteReport, error) {
	j, err := d.st.FindJob(ctx, ref)
	if err != nil {
		return DeleteReport{}, err
	}
	if req.WithArchives && req.Confirm != j.Name {
		return DeleteReport{}, fmt.Errorf("%w: deleting job %s with its archives cannot be undone: confirm by typing the job's name (--confirm %s)", fault.ErrInvalid, j.Name, j.Name)
	}
	active, err := d.st.ActiveRuns(ctx, j.ID)
	if err != nil {
		return DeleteReport{}, err
	}
	if len(active) > 0 {
		return DeleteReport{}, fault.Refuse(fault.ErrConflict, "run %d of job %s is queued or running: cancel it first (borgdesk job cancel %d), then delete the job", active[0], j.Name, active[0])
	}
	rep := DeleteReport{Job: j, ArchivesDeleted: []string{}, ArchivesKept: !req.WithArchives}
	if req.WithArchives {
		deleteArchives := d.env.DeleteArchives
		if j.Kind == agentapi.KindFlx {
			deleteArchives = d.env.DeleteSnapshots // its "archives" are snapshot files, in no repository
		}
		if rep.ArchivesDeleted, err = deleteArchives(ctx, j); err != nil {
			return DeleteReport{Job: j, ArchivesDeleted: rep.ArchivesDeleted}, fmt.Errorf("job %s was not deleted: deleting its archives failed: %w", j.Name, err)
		}
	}
	if err := d.st.DeleteJob(ctx, j.ID); err != nil {
		return rep, err
	}
	msg := fmt.Sprintf("job %s of %s deleted; its archives are kept in the repository (a new job named %s would take them into its retention)", j.Name, j.ServerName, j.Name)
	if req.WithArchives {
		msg = fmt.Sprintf("job %s of %s deleted with its %d archive(s)", j.Name, j.ServerName, len(rep.ArchivesDeleted))
	}
	d.events.Publish(ctx, events.JobChanged, j.ServerUUID, msg, map[string]any{"job_id": j.ID, "deleted": true, "archives_deleted": len(rep.ArchivesDeleted)})
	return rep, nil
}

// Version is what Input.Version holds for j: its updated_at.
func Version(j store.Job) string { return j.UpdatedAt.UTC().Format(time.RFC3339Nano) }

func changedSince(j store.Job) error {
	return fmt.Errorf("%w: job %s of %s was changed by someone else since you opened it: reload it and make your change again", fault.ErrConflict, j.Name, j.ServerName)
}

// InputOf is a stored job as an Input: what its edit form starts from.
func InputOf(j store.Job) (Input, error) {
	in := Input{Server: j.ServerName, Name: j.Name, Schedule: j.Schedule, NotifySuccess: j.NotifySuccess, Version: Version(j)}
	if err := json.Unmarshal([]byte(j.Spec), &in.Spec); err != nil {
		return Input{}, fmt.Errorf("job %s: its stored definition is unreadable: %w", j.Name, err)
	}
	if j.Keep != "" {
		if err := json.Unmarshal([]byte(j.Keep), &in.Keep); err != nil {
			return Input{}, fmt.Errorf("job %s: its stored retention is unreadable: %w", j.Name, err)
		}
	}
	return in, nil
}

// checkDefinition is the validation Create and Edit share.
func checkDefinition(in Input) error {
	if err := ValidateSpec(in.Spec); err != nil {
		return fmt.Errorf("%w: %v", fault.ErrInvalid, err)
	}
	if in.Schedule != "" {
		if _, err := ParseSchedule(in.Schedule); err != nil {
			return fmt.Errorf("%w: %v", fault.ErrInvalid, err)
		}
	}
	if k := in.Keep; !ValidWithin(k.Within) || k.Daily < 0 || k.Weekly < 0 || k.Monthly < 0 || k.Yearly < 0 {
		return fmt.Errorf("%w: retention: keep counts are whole numbers and --keep-within looks like 7d", fault.ErrInvalid)
	}
	return nil
}

func definitionOf(in Input) store.JobDefinition {
	spec, _ := json.Marshal(in.Spec)
	keep, _ := json.Marshal(in.Keep)
	return store.JobDefinition{Spec: string(spec), Schedule: in.Schedule, Keep: string(keep), NotifySuccess: in.NotifySuccess}
}

// diffJob lists what def changes in j, field by field, in a stable order.
func diffJob(j store.Job, def store.JobDefinition) []FieldChange {
	var out []FieldChange
	if j.Schedule != def.Schedule {
		out = append(out, FieldChange{Field: "schedule", From: quote(j.Schedule), To: quote(def.Schedule)})
	}
	out = append(out, diffJSON("spec", j.Spec, def.Spec, agentapi.BackupSpec{})...)
	out = append(out, diffJSON("keep", j.Keep, def.Keep, borg.Keep{})...)
	if j.NotifySuccess != def.NotifySuccess {
		out = append(out, FieldChange{Field: "notify_success", From: fmt.Sprint(j.NotifySuccess), To: fmt.Sprint(def.NotifySuccess)})
	}
	return out
}

// diffJSON compares two JSON objects key by key, after a round trip
// through their Go type (so that {} and a zero value compare equal).
func diffJSON[T any](prefix, from, to string, _ T) []FieldChange {
	norm := func(s string) map[string]json.RawMessage {
		var v T
		json.Unmarshal([]byte(s), &v)
		raw, _ := json.Marshal(v)
		m := map[string]json.RawMessage{}
		json.Unmarshal(raw, &m)
		return m
	}
	a, b := norm(from), norm(to)
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []FieldChange
	for _, k := range keys {
		if string(a[k]) != string(b[k]) {
			out = append(out, FieldChange{Field: prefix + "." + k, From: orNone(a[k]), To: orNone(b[k])})
		}
	}
	return out
}

func orNone(v json.RawMessage) string {
	if len(v) == 0 {
		return "(none)"
	}
	return string(v)
}

func quote(s string) string {
	if s == "" {
		return "(by hand only)"
	}
	return fmt.Sprintf("%q", s)
}

// ServerBackup is "back up now" for every job of a server: the runs
// queued, and the paused jobs left alone.
type ServerBackup struct {
	Server string      `json:"server"`
	Runs   []store.Run `json:"runs"`
	Paused []string    `json:"paused"`
}
