package adminapi

import (
	"context"
	"net/http"

	"borgdesk/backend/mail"
	"borgdesk/backend/service"
	"borgdesk/backend/store"
)

// Storage targets, repository checks and moves, e-mail, settings, events
// and the recovery kit: each route, then the client's call of it.

// settingValue is the {"value": …} body of a setting and of a few answers.
type settingValue struct {
	Value string `json:"value"`
}

var listTargets = newRoute(http.MethodGet, "/v1/targets", func(ctx context.Context, s *service.Service, _ none) ([]store.Target, error) {
	return s.ListTargets(ctx)
})

// ListTargets lists the storage targets.
func (c *Client) ListTargets(ctx context.Context) ([]store.Target, error) {
	return listTargets.Call(ctx, c, none{})
}

var addStorageNode = newRoute(http.MethodPost, "/v1/targets/nodes", func(ctx context.Context, s *service.Service, in service.StorageNodeInput) (store.Target, error) {
	return s.AddStorageNode(ctx, in)
})

// AddStorageNode makes a server a storage node.
func (c *Client) AddStorageNode(ctx context.Context, in service.StorageNodeInput) (store.Target, error) {
	return addStorageNode.Call(ctx, c, in)
}

var addHostedTarget = newRoute(http.MethodPost, "/v1/targets/hosted", func(ctx context.Context, s *service.Service, in service.HostedInput) (store.Target, error) {
	return s.AddHostedTarget(ctx, in)
})

// AddHostedTarget records a hosted Borg service.
func (c *Client) AddHostedTarget(ctx context.Context, in service.HostedInput) (store.Target, error) {
	return addHostedTarget.Call(ctx, c, in)
}

// targetRef names a storage target in the path.
type targetRef struct {
	Ref string `path:"ref" json:"-"`
}

var hostedKeys = newRoute(http.MethodGet, "/v1/targets/{ref}/keys", func(ctx context.Context, s *service.Service, in targetRef) ([]string, error) {
	return s.HostedKeys(ctx, in.Ref)
})

// HostedKeys are the authorized_keys lines to install at a hosted service.
func (c *Client) HostedKeys(ctx context.Context, ref string) ([]string, error) {
	return hostedKeys.Call(ctx, c, targetRef{ref})
}

var checkTarget = newRoute(http.MethodPost, "/v1/targets/{ref}/check", func(ctx context.Context, s *service.Service, in targetRef) (store.Target, error) {
	return s.CheckTarget(ctx, in.Ref)
})

// CheckTarget proves the coordinator reaches a target.
func (c *Client) CheckTarget(ctx context.Context, ref string) (store.Target, error) {
	return checkTarget.Call(ctx, c, targetRef{ref})
}

var removeTarget = newRoute(http.MethodDelete, "/v1/targets/{ref}", func(ctx context.Context, s *service.Service, in targetRef) (none, error) {
	return none{}, s.RemoveTarget(ctx, in.Ref)
})

// RemoveTarget removes a target no repository uses.
func (c *Client) RemoveTarget(ctx context.Context, ref string) error {
	_, err := removeTarget.Call(ctx, c, targetRef{ref})
	return err
}

var setRepoTarget = newRoute(http.MethodPut, "/v1/servers/{ref}/storage", func(ctx context.Context, s *service.Service, in refValue) (store.Server, error) {
	return s.SetRepoTarget(ctx, in.Ref, in.Value)
})

// SetRepoTarget puts a server's repository on a target ("local": the coordinator).
func (c *Client) SetRepoTarget(ctx context.Context, server, target string) (store.Server, error) {
	return setRepoTarget.Call(ctx, c, refValue{Ref: server, Value: target})
}

var moveRepo = newRoute(http.MethodPost, "/v1/servers/{ref}/storage/move", func(ctx context.Context, s *service.Service, in refValue) (service.MoveReport, error) {
	return s.StartMoveRepo(ctx, in.Ref, in.Value)
})

// MoveRepo starts moving a server's repository to another target, verified.
func (c *Client) MoveRepo(ctx context.Context, server, target string) (service.MoveReport, error) {
	return moveRepo.Call(ctx, c, refValue{Ref: server, Value: target})
}

var moveStatus = newRoute(http.MethodGet, "/v1/servers/{ref}/storage/move", func(ctx context.Context, s *service.Service, in serverRef) (service.MoveReport, error) {
	return s.MoveStatus(ctx, in.Ref)
})

// MoveStatus follows a repository move.
func (c *Client) MoveStatus(ctx context.Context, server string) (service.MoveReport, error) {
	return moveStatus.Call(ctx, c, serverRef{server})
}

type checkRequest struct {
	Ref        string `path:"ref" json:"-"`
	VerifyData bool   `query:"verify_data" json:"-"`
}

var checkRepo = newRoute(http.MethodPost, "/v1/servers/{ref}/check", func(ctx context.Context, s *service.Service, in checkRequest) (none, error) {
	return none{}, s.Check(ctx, in.Ref, in.VerifyData)
})

// Check runs borg check on a server's repository.
func (c *Client) Check(ctx context.Context, ref string, verifyData bool) error {
	_, err := checkRepo.Call(ctx, c, checkRequest{Ref: ref, VerifyData: verifyData})
	return err
}

var sendTestEmail = newRoute(http.MethodPost, "/v1/mail/test", func(ctx context.Context, s *service.Service, _ none) (settingValue, error) {
	msg, err := s.SendTestEmail(ctx)
	return settingValue{Value: msg}, err
})

// SendTestEmail sends a test e-mail now.
func (c *Client) SendTestEmail(ctx context.Context) (string, error) {
	v, err := sendTestEmail.Call(ctx, c, none{})
	return v.Value, err
}

var mailStatus = newRoute(http.MethodGet, "/v1/mail/status", func(ctx context.Context, s *service.Service, _ none) (mail.Status, error) {
	return s.MailStatus(), nil
})

// MailStatus reports the e-mail outbox.
func (c *Client) MailStatus(ctx context.Context) (mail.Status, error) {
	return mailStatus.Call(ctx, c, none{})
}

var listSettings = newRoute(http.MethodGet, "/v1/settings", func(ctx context.Context, s *service.Service, _ none) (map[string]string, error) {
	return s.Settings(ctx)
})

// Settings returns every setting.
func (c *Client) Settings(ctx context.Context) (map[string]string, error) {
	return listSettings.Call(ctx, c, none{})
}

type settingKey struct {
	Key string `path:"key" json:"-"`
}

var getSetting = newRoute(http.MethodGet, "/v1/settings/{key}", func(ctx context.Context, s *service.Service, in settingKey) (settingValue, error) {
	v, err := s.Setting(ctx, in.Key)
	return settingValue{Value: v}, err
})

// Setting returns one setting.
func (c *Client) Setting(ctx context.Context, key string) (string, error) {
	v, err := getSetting.Call(ctx, c, settingKey{key})
	return v.Value, err
}

type setSettingRequest struct {
	Key   string `path:"key" json:"-"`
	Value string `json:"value"`
}

var setSetting = newRoute(http.MethodPut, "/v1/settings/{key}", func(ctx context.Context, s *service.Service, in setSettingRequest) (none, error) {
	return none{}, s.SetSetting(ctx, in.Key, in.Value)
})

// SetSetting changes one setting.
func (c *Client) SetSetting(ctx context.Context, key, value string) error {
	_, err := setSetting.Call(ctx, c, setSettingRequest{Key: key, Value: value})
	return err
}

var listEvents = newRoute(http.MethodGet, "/v1/events", func(ctx context.Context, s *service.Service, in limitRequest) ([]store.Event, error) {
	return s.ListEvents(ctx, in.Limit)
})

// ListEvents returns recent events.
func (c *Client) ListEvents(ctx context.Context, limit int) ([]store.Event, error) {
	return listEvents.Call(ctx, c, limitRequest{limit})
}

// eventStream sends every event as one JSON line; Client.StreamEvents reads it.
var eventStream = newRawRoute(http.MethodGet, "/v1/events/stream", (*Server).stream)

var exportRecoveryKit = newRoute(http.MethodPost, "/v1/recovery-kit", func(ctx context.Context, s *service.Service, in service.KitExportRequest) (service.KitExport, error) {
	return s.ExportRecoveryKit(ctx, in)
})

// ExportRecoveryKit has the coordinator write a recovery kit to path (on
// this machine); the passphrase travels in the request body over the
// socket, never in a process's arguments.
func (c *Client) ExportRecoveryKit(ctx context.Context, path, passphrase string) (service.KitExport, error) {
	return exportRecoveryKit.Call(ctx, c, service.KitExportRequest{Path: path, Passphrase: passphrase})
}

var recoveryKitStatus = newRoute(http.MethodGet, "/v1/recovery-kit", func(ctx context.Context, s *service.Service, _ none) (service.KitStatus, error) {
	return s.RecoveryKitStatus(ctx)
})

// RecoveryKitStatus reports the last recovery kit and what changed since.
func (c *Client) RecoveryKitStatus(ctx context.Context) (service.KitStatus, error) {
	return recoveryKitStatus.Call(ctx, c, none{})
}
