import { defineStore } from 'pinia'
import { ref } from 'vue'
import { GetReplica, ProbeReplicaHost, RemoveReplica, RunReplica, SetReplica } from 'wailsjs/go/app/Desk.js'
import { REPLICA_CHANGED } from '@/events.js'
import { errorMessage, eventSubscription, outcome } from './bridge.js'

// The replicas store holds the replication of the servers whose page is
// open, by server uuid: a ReplicaStatus, or null when none is set.
// replica:changed (subject: the server's uuid) reads that server's again.
export const useReplicasStore = defineStore('replicas', () => {
  const byServer = ref({})
  const errors = ref({})
  const loading = ref({})

  const subscription = eventSubscription([REPLICA_CHANGED], (_name, ev) => {
    const uuid = ev?.subject
    if (uuid && uuid in byServer.value) load(uuid)
  })

  async function load(uuid) {
    if (!uuid) return
    loading.value = { ...loading.value, [uuid]: true }
    try {
      subscription.ensure()
      const status = await GetReplica(uuid)
      byServer.value = { ...byServer.value, [uuid]: status }
      errors.value = { ...errors.value, [uuid]: '' }
    } catch (err) {
      const msg = errorMessage(err)
      if (/has no replica|not found/.test(msg)) {
        byServer.value = { ...byServer.value, [uuid]: null }
        errors.value = { ...errors.value, [uuid]: '' }
      } else {
        errors.value = { ...errors.value, [uuid]: msg }
      }
    } finally {
      loading.value = { ...loading.value, [uuid]: false }
    }
  }

  function of(uuid) {
    return byServer.value[uuid]
  }

  function keep(result) {
    if (result.ok && result.value?.server_uuid) {
      byServer.value = { ...byServer.value, [result.value.server_uuid]: result.value }
    }
    return result
  }

  const probe = (uuid, sftp) => outcome(() => ProbeReplicaHost(uuid, sftp))
  const save = async (input) => keep(await outcome(() => SetReplica(input)))
  const run = async (uuid) => keep(await outcome(() => RunReplica(uuid)))

  async function remove(uuid) {
    const result = await outcome(() => RemoveReplica(uuid))
    if (result.ok) byServer.value = { ...byServer.value, [uuid]: null }
    return result
  }

  return { byServer, errors, loading, load, of, probe, save, run, remove, stop: subscription.stop }
})
