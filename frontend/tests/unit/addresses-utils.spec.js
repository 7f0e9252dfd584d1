import { describe, expect, it } from 'vitest'
import { bareHost } from '@/utils/addresses.js'

describe('bareHost', () => {
  it.each([
    ['https://ops-laptop:8443', 'ops-laptop'],
    ['https://localhost:8443', 'localhost'],
    ['https://borgdesk.example.lan:8443', ''],
    ['https://192.168.1.20:8443', ''],
    ['https://[fd00::1]:8443', ''],
    ['', ''],
    ['not a url', ''],
    [null, ''],
  ])('%j → %j', (url, want) => {
    expect(bareHost(url)).toBe(want)
  })
})
