package service

import (
	"context"
	"fmt"
	"time"

	"borgdesk/backend/store"
)

// Task returns a task.
func (s *Service) Task(ctx context.Context, id int64) (store.Task, error) { return s.st.Task(ctx, id) }

// WaitTask waits (up to an hour, or until ctx ends) for a task to finish;
// a failed task is returned as it is (it says how it failed).
func (s *Service) WaitTask(ctx context.Context, id int64) (store.Task, error) {
	return s.waitTaskDone(ctx, id, time.Hour)
}

// waitTask waits for a task and fails unless it succeeded.
func (s *Service) waitTask(ctx context.Context, id int64, timeout time.Duration) (store.Task, error) {
	done, err := s.waitTaskDone(ctx, id, timeout)
	if err == nil && done.Status != store.TaskSucceeded {
		err = fmt.Errorf("task %d %s: %s", id, done.Status, done.Error)
	}
	return done, err
}

// waitTaskDone waits until a task has finished, whatever its outcome; it
// fails only when timeout or ctx ends first.
func (s *Service) waitTaskDone(ctx context.Context, id int64, timeout time.Duration) (store.Task, error) {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var done store.Task
	err := s.waitUntil(wctx, func() (bool, error) {
		var err error
		done, err = s.st.Task(wctx, id)
		return err == nil && done.Status != store.TaskQueued && done.Status != store.TaskDispatched && done.Status != store.TaskRunning, err
	})
	if err != nil && wctx.Err() != nil && ctx.Err() == nil {
		return done, fmt.Errorf("the agent of %s did not answer within %s (task %d is %s): is it running and online?", done.ServerName, timeout, id, done.Status)
	}
	return done, err
}
