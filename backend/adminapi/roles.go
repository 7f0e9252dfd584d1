package adminapi

import "borgdesk/backend/operators"

// access is what a route needs: the least role that may call it, and
// whether it only reads (a call that changes something is audited).
type access struct {
	role operators.Role
	read bool
}

var (
	viewerRead    = access{operators.Viewer, true}
	operatorRead  = access{operators.Operator, true}
	operatorWrite = access{operators.Operator, false}
	adminRead     = access{operators.Admin, true}
	adminWrite    = access{operators.Admin, false}
	// viewerWrite is for what every operator does to themselves (renew
	// their own certificate).
	viewerWrite = access{operators.Viewer, false}
)

// roles maps every route of the table ("METHOD /pattern") to what it
// needs. It is the one place roles are decided: a route missing here is
// refused to everyone but the local admin, and a test fails.
//
// viewer reads the fleet, jobs, runs, archives and events; operator also
// runs jobs, restores, browses files, mounts, runs drills and restores .flx
// snapshots; admin also changes settings, enrollment and the CA, rolls
// agents out, deletes, and manages operators.
var roles = map[string]access{
	// The coordinator and the fleet.
	"GET /v1/status":                   viewerRead,
	"GET /v1/health":                   viewerRead,
	"GET /v1/storage":                  viewerRead,
	"GET /v1/servers/{ref}/metrics":    viewerRead,
	"GET /v1/servers":                  viewerRead,
	"GET /v1/servers/{ref}":            viewerRead,
	"DELETE /v1/servers/{ref}":         adminWrite,
	"POST /v1/servers/{ref}/revoke":    adminWrite,
	"POST /v1/servers/{ref}/ping":      operatorWrite,
	"POST /v1/tokens":                  adminWrite,
	"GET /v1/tokens":                   adminRead,
	"DELETE /v1/tokens/{ref}":          adminWrite,
	"GET /v1/tasks":                    viewerRead,
	"GET /v1/tasks/{id}":               viewerRead,
	"POST /v1/tasks/{id}/cancel":       operatorWrite,
	"POST /v1/rollouts/probe":          adminWrite,
	"POST /v1/rollouts":                adminWrite,
	"GET /v1/rollouts":                 viewerRead,
	"GET /v1/rollouts/{id}":            viewerRead,
	"POST /v1/servers/{ref}/uninstall": adminWrite,
	"DELETE /v1/known-hosts/{host}":    adminWrite,

	// Jobs and runs.
	"GET /v1/jobs":                      viewerRead,
	"POST /v1/jobs":                     adminWrite,
	"GET /v1/jobs/{ref}":                viewerRead,
	"GET /v1/jobs/{ref}/input":          viewerRead,
	"PUT /v1/jobs/{ref}":                adminWrite,
	"PUT /v1/jobs/{ref}/enabled":        adminWrite,
	"POST /v1/jobs/{ref}/duplicate":     adminWrite,
	"DELETE /v1/jobs/{ref}":             adminWrite,
	"POST /v1/jobs/{ref}/run":           operatorWrite,
	"POST /v1/servers/{ref}/backup":     operatorWrite,
	"POST /v1/jobs/{ref}/prune":         adminWrite,
	"GET /v1/runs":                      viewerRead,
	"GET /v1/runs/{id}":                 viewerRead,
	"POST /v1/runs/{id}/cancel":         operatorWrite,
	"POST /v1/jobs/{ref}/drill":         operatorWrite,
	"GET /v1/drills/{id}":               viewerRead,
	"GET /v1/drills":                    viewerRead,
	"PUT /v1/jobs/{ref}/drill-schedule": adminWrite,

	// Archives, browsing, restores, mounts.
	"GET /v1/servers/{ref}/archives":                   viewerRead,
	"GET /v1/servers/{ref}/archives/{archive}/ls":      operatorRead,
	"GET /v1/servers/{ref}/versions":                   operatorRead,
	"GET /v1/find":                                     operatorRead,
	"DELETE /v1/servers/{ref}/archives/{archive}":      adminWrite,
	"PUT /v1/servers/{ref}/archives/{archive}/keep":    adminWrite,
	"POST /v1/servers/{ref}/archives/{archive}/rename": adminWrite,
	"POST /v1/restores/plan":                           operatorRead,
	"POST /v1/restores":                                operatorWrite,
	"POST /v1/db-restores":                             operatorWrite,
	"GET /v1/mounts":                                   viewerRead,
	"POST /v1/mounts":                                  operatorWrite,
	"DELETE /v1/mounts":                                operatorWrite,
	"GET /v1/servers/{ref}/flx":                        viewerRead,
	"POST /v1/flx/open":                                operatorWrite,
	"POST /v1/flx/restore":                             operatorWrite,
	"POST /v1/flx/diff":                                operatorRead,
	"POST /v1/flx/create":                              operatorWrite,

	// Storage, replicas, checks.
	"GET /v1/targets":                     viewerRead,
	"POST /v1/targets/nodes":              adminWrite,
	"POST /v1/targets/hosted":             adminWrite,
	"GET /v1/targets/{ref}/keys":          adminRead,
	"POST /v1/targets/{ref}/check":        operatorWrite,
	"DELETE /v1/targets/{ref}":            adminWrite,
	"PUT /v1/servers/{ref}/storage":       adminWrite,
	"POST /v1/servers/{ref}/storage/move": adminWrite,
	"GET /v1/servers/{ref}/storage/move":  viewerRead,
	"POST /v1/servers/{ref}/check":        operatorWrite,
	"GET /v1/replicas":                    viewerRead,
	"GET /v1/replicas/{ref}":              viewerRead,
	"PUT /v1/replicas/{ref}":              adminWrite,
	"DELETE /v1/replicas/{ref}":           adminWrite,
	"POST /v1/replicas/{ref}/run":         operatorWrite,
	"POST /v1/replicas/{ref}/probe":       adminWrite,

	// Settings, mail, events, the recovery kit.
	"POST /v1/mail/test":     adminWrite,
	"GET /v1/mail/status":    viewerRead,
	"POST /v1/mail/digest":   adminWrite,
	"GET /v1/settings":       viewerRead,
	"GET /v1/settings/{key}": viewerRead,
	"PUT /v1/settings/{key}": adminWrite,
	"GET /v1/events":         viewerRead,
	"POST /v1/events/query":  viewerRead,
	"GET /v1/events/stream":  viewerRead,
	"POST /v1/recovery-kit":  adminWrite,
	"GET /v1/recovery-kit":   viewerRead,

	// Operators and the audit log.
	"GET /v1/operators/me":          viewerRead,
	"POST /v1/operators/me/renew":   viewerWrite,
	"GET /v1/operators":             viewerRead,
	"POST /v1/operators/invites":    adminWrite,
	"DELETE /v1/operators/{name}":   adminWrite,
	"PUT /v1/operators/{name}/role": adminWrite,
	"GET /v1/audit":                 viewerRead,
}
