package service

import "borgdesk/backend/fleet"

// PingResult is the outcome of PingServer (fleet.Fleet.PingServer).
type PingResult = fleet.PingResult
