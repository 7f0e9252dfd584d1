package restores

import (
	"context"
	"fmt"

	"borgdesk/backend/events"
	"borgdesk/backend/shared/agentapi"
	"borgdesk/backend/store"
)

// WarnOffline tells the operator about restores whose agent went
// silent: they may go on (a network cut) or be failed as interrupted when
// the agent comes back, and until then what they wrote is unknown.
func (r *Restores) WarnOffline(ctx context.Context, sv store.Server) {
	tasks, err := r.st.ListTasks(ctx, sv.ID, 50)
	if err != nil {
		return
	}
	for _, t := range tasks {
		if (t.Type == agentapi.TaskRestore || t.Type == agentapi.TaskDBRestore) && (t.Status == store.TaskRunning || t.Status == store.TaskDispatched) {
			r.events.Publish(ctx, events.Notification, sv.UUID, fmt.Sprintf("%s went offline during %s task %d: it is reported as interrupted when the agent comes back; until then check what reached the destination on %s", sv.Name, t.Type, t.ID, sv.Name), nil)
		}
	}
}
