// Mounts a component the way main.js sets the app up: a fresh Pinia, the
// i18n instance in the given locale and a router on memory history.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory } from 'vue-router'
import { createAppI18n } from '@/i18n.js'
import { createAppRouter } from '@/router.js'

export async function mountWith(component, { locale = 'en', path = '/', props = {}, attach = false } = {}) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createAppRouter(createMemoryHistory())
  await router.push(path)
  await router.isReady()
  const wrapper = mount(component, {
    props,
    attachTo: attach ? document.body : undefined,
    global: { plugins: [pinia, createAppI18n(locale), router] },
  })
  await flushPromises()
  return { wrapper, router }
}

// A server as Go's ListServers and GetServer send it.
export function serverRecord(overrides = {}) {
  return {
    id: 1,
    uuid: 'uuid-web1',
    name: 'web1',
    host: 'web1.lan',
    port: 22,
    user: 'borg',
    host_key_fingerprint: '',
    status: 'online',
    online: true,
    last_seen: '2026-11-22T07:58:00Z',
    version: '0.3.1',
    protocol_version: 1,
    hostname: 'web1.example.lan',
    cert_serial: '5e:2b:91',
    cert_not_after: '2027-02-20T08:00:00Z',
    revoked_at: null,
    capabilities: {
      hostname: 'web1.example.lan',
      os: 'Debian GNU/Linux',
      os_version: '12.8',
      kernel: '6.1.0-27-amd64',
      arch: 'x86_64',
      borg_version: '1.2.8',
      tools: { mysqldump: true, pg_dump: false, mongodump: false, docker: true, lvm: true },
    },
    metrics: {
      collected_at: '2026-11-22T07:58:00Z',
      cpu_percent: 12.4,
      load1: 0.42,
      mem_total: 8.2e9,
      mem_used: 3.1e9,
      swap_total: 0,
      swap_used: 0,
      uptime_seconds: 1234567,
      disks: [
        { mount: '/', fstype: 'ext4', total: 50e9, used: 21.4e9 },
        { mount: '/var', fstype: 'xfs', total: 200e9, used: 190e9 },
      ],
      net: [{ name: 'eth0', rx_bytes: 1.21e12, tx_bytes: 3.8e11 }],
    },
    created_at: '2026-11-01T10:00:00Z',
    updated_at: '2026-11-22T07:58:00Z',
    ...overrides,
  }
}
