// The archive browser's tree: listings arrive one directory at a time
// (BrowseArchive), so the rows shown are derived from the listings loaded
// and the folders the operator opened.

export function isDir(entry) {
  return entry?.type === 'd'
}

// parentDir of "etc/nginx/nginx.conf" is "etc/nginx"; of "etc" it is "".
export function parentDir(path) {
  const p = String(path ?? '')
  const i = p.lastIndexOf('/')
  return i === -1 ? '' : p.slice(0, i)
}

// isWithin: path is dir itself or below it.
export function isWithin(path, dir) {
  return path === dir || String(path).startsWith(`${dir}/`)
}

// visibleRows flattens the open part of the tree: every entry of an open
// folder, depth first. A folder opened but not listed yet gives a
// 'loading' row (or 'error'); a listing cut at the limit gives a
// 'truncated' row after its entries.
export function visibleRows(listings, expanded, status = {}, dir = '', depth = 0) {
  const listing = listings[dir]
  if (!listing) {
    const state = status[dir]?.error ? 'error' : 'loading'
    return dir === '' ? [] : [{ kind: state, dir, depth, error: status[dir]?.error ?? '' }]
  }
  const rows = []
  for (const entry of listing.entries ?? []) {
    const open = isDir(entry) && expanded.includes(entry.path)
    rows.push({ kind: 'entry', entry, depth, open })
    if (open) rows.push(...visibleRows(listings, expanded, status, entry.path, depth + 1))
  }
  if (listing.truncated) {
    rows.push({ kind: 'truncated', dir, depth, shown: listing.entries?.length ?? 0, total: listing.total ?? 0 })
  }
  return rows
}

// toggleOpen adds dir to the open folders or takes it, and what is below
// it, out.
export function toggleOpen(expanded, dir) {
  if (expanded.includes(dir)) return expanded.filter((d) => !isWithin(d, dir))
  return [...expanded, dir]
}

// covered: path is selected itself or through a selected folder.
export function covered(selected, path) {
  return selected.some((s) => isWithin(path, s))
}

// toggleSelected selects path (a folder takes what is below it with it) or
// unselects it. A path only covered by a selected folder cannot be taken
// out alone: the folder is restored whole.
export function toggleSelected(selected, path) {
  if (selected.includes(path)) return selected.filter((s) => s !== path)
  if (covered(selected, path)) return selected
  return [...selected.filter((s) => !isWithin(s, path)), path].sort()
}
