package tray

// backUp queues a run of each of a server's jobs, off the click goroutine.
func (t *Tray) backUp(server string, jobs []string) {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		for _, id := range jobs {
			if _, err := t.opts.Source.RunJob(t.ctx, id, "manual"); err != nil {
				t.opts.Logger.Warn("tray: back up now", "server", server, "job", id, "err", err)
			}
		}
	}()
}

// togglePause pauses the schedules, or resumes them.
func (t *Tray) togglePause() {
	paused := t.opts.Source.SchedulesPaused(t.ctx)
	if err := t.opts.Source.PauseSchedules(t.ctx, !paused); err != nil {
		t.opts.Logger.Warn("tray: pause schedules", "err", err)
	}
	t.refresh()
}
