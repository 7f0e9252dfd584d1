// Stands in for wailsjs/go/app/Desk.js in unit tests:
//   vi.mock('wailsjs/go/app/Desk.js', () => import('../fake-desk.js'))
import { vi } from 'vitest'

export const CreateEnrollmentToken = vi.fn()
export const GetServer = vi.fn()
export const GetSettings = vi.fn()
export const ListEvents = vi.fn()
export const ListJobs = vi.fn()
export const ListRuns = vi.fn()
export const ListServers = vi.fn()
export const Ping = vi.fn()
export const PingServer = vi.fn()
export const RemoveServer = vi.fn()
export const RevokeServer = vi.fn()
export const SetSetting = vi.fn()
export const Status = vi.fn()
