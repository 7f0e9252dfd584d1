// The archive part of the Go double (desk-double.js): DeleteArchive,
// KeepArchive and RenameArchive answer as backend/archives/manage.go does,
// with its sentences, change state.archives, and announce each change with
// job:changed (subject: the server's uuid) as Go publishes it.
// state.archiveBusy[uuid] set makes the repository busy (a backup holds
// its lock), so a test sees Go's refusal.

// installArchiveDesk runs after installDesk's script, in the page.
export async function installArchiveDesk(page) {
  await page.addInitScript(() => {
    const { answer, find, state, clone, emit, nextEventId } = window.__desk
    const Desk = window.go.app.Desk
    state.archiveBusy ||= {}

    const announce = (uuid, message, data) =>
      setTimeout(() => emit('job:changed', { id: nextEventId(), at: new Date().toISOString(), kind: 'job:changed', subject: uuid, message, data }), 0)
    const open = (ref, name) => {
      const server = find(ref)
      const list = (state.archives[server.uuid] ||= [])
      if (!name) throw new Error(`name the archive; \`borgdesk archive list ${server.name}\` shows them`)
      const archive = list.find((a) => a.name === name)
      if (!archive) throw new Error(`${server.name} has no archive ${name} (deleted, pruned or renamed?); \`borgdesk archive list ${server.name}\` shows its archives`)
      return { server, list, archive }
    }
    const busy = (server, name, doing) => {
      if (state.archiveBusy[server.uuid])
        throw new Error(`the repository of ${server.name} is busy: a backup, check or prune holds its lock and Borgdesk waited 60 s for it; nothing was changed — ${doing} archive ${name} again when it has finished`)
    }
    const checkName = (name) => {
      if (!name) throw new Error('the new archive name is empty; give a name such as files@2026-01-01-before-upgrade')
      if (name.includes('/')) throw new Error(`archive name ${JSON.stringify(name)} has a /, which borg does not allow in a name; use - or _ instead`)
      if (/\s/.test(name)) throw new Error(`archive name ${JSON.stringify(name)} has a space or an invisible character; use - or _ instead`)
    }

    Desk.DeleteArchive = answer('DeleteArchive', (ref, name, confirm) => {
      const { server, list, archive } = open(ref, name)
      if (confirm !== name) throw new Error(`to delete archive ${name}, type its name exactly to confirm (--confirm ${name}); nothing was deleted`)
      if (archive.keep_forever) throw new Error(`archive ${name} is kept forever; take that off first (borgdesk archive unkeep ${server.name} ${name}), then delete it`)
      busy(server, name, 'delete')
      list.splice(list.indexOf(archive), 1)
      announce(server.uuid, `archive ${name} of ${server.name} deleted`, { archive: name, deleted: true })
      return { server: server.name, archive: name, freed_bytes: archive.freed_bytes ?? archive.deduplicated ?? 0 }
    })

    Desk.KeepArchive = answer('KeepArchive', (ref, name, keep) => {
      const { server, archive } = open(ref, name)
      archive.keep_forever = Boolean(keep)
      announce(server.uuid, keep ? `archive ${name} of ${server.name} is kept forever` : `archive ${name} of ${server.name} follows its job's retention again`, { archive: name, keep_forever: Boolean(keep) })
    })

    Desk.RenameArchive = answer('RenameArchive', (input) => {
      const { server, list, archive } = open(input.server, input.archive)
      const newName = input.new_name || input.archive
      const rename = newName !== input.archive
      if (!rename && input.comment === undefined) throw new Error(`archive ${input.archive} already has that name; give a new name or a comment`)
      if (input.comment !== undefined && /[\n\r\t]/.test(input.comment)) throw new Error('the comment has a line break or an invisible character; write it on one line')
      let note
      if (rename) {
        checkName(newName)
        if (list.some((a) => a.name === newName)) throw new Error(`${server.name} already has an archive named ${newName}; pick another name`)
        busy(server, input.archive, 'rename')
        archive.name = newName
        const job = input.archive.split('@')[0]
        if (input.archive.includes('@') && !newName.startsWith(`${job}@`)) note = `${newName} no longer starts with ${job}@, so the retention of job ${job} no longer prunes it`
      }
      if (input.comment !== undefined) archive.comment = input.comment
      announce(server.uuid, rename ? `archive ${input.archive} of ${server.name} renamed ${newName}` : `comment of archive ${input.archive} of ${server.name} changed`, { archive: newName, renamed_from: input.archive })
      return clone({ server: server.name, archive: newName, comment: archive.comment ?? '', ...(note ? { note } : {}) })
    })
  })
}
