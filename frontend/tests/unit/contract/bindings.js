// Reads the generated Wails bindings (wailsjs/go/app/Desk.d.ts and
// wailsjs/go/models.ts) as data, so the hand-written doubles of the Go side
// can be checked against them.
import { readFileSync } from 'node:fs'
import { fileURLToPath, URL } from 'node:url'

const read = (rel) => readFileSync(fileURLToPath(new URL(`../../../wailsjs/go/${rel}`, import.meta.url)), 'utf8')

// deskMethods maps each bound method of the Go Desk to its argument count
// and its answer's type as Wails wrote it ("Array<store.Server>", "void").
export function deskMethods() {
  const methods = new Map()
  for (const m of read('app/Desk.d.ts').matchAll(/^export function (\w+)\(([^)]*)\):Promise<(.+)>;$/gm)) {
    methods.set(m[1], { args: m[2] ? m[2].split(',').length : 0, returns: m[3] })
  }
  return methods
}

// modelClasses maps "namespace.Class" to its fields: name → type.
export function modelClasses() {
  const classes = new Map()
  let ns = ''
  let cls = null
  for (const line of read('models.ts').split('\n')) {
    let m
    if ((m = /^export namespace (\w+) \{/.exec(line))) ns = m[1]
    else if ((m = /^\texport class (\w+) \{/.exec(line))) classes.set(`${ns}.${m[1]}`, (cls = new Map()))
    else if (cls && /^\t    (static|constructor|convertValues)\b/.test(line)) cls = null
    else if (cls && (m = /^\t    (\w+)\??: (.+);$/.exec(line))) cls.set(m[1], m[2])
  }
  return classes
}

// strayFields lists the keys of value that type (a models.ts type) does not
// have, as paths ("servers[0].metrics.cpu"), looking into nested classes,
// arrays and maps of classes.
export function strayFields(value, type, classes, at = '') {
  if (value === null || value === undefined) return []
  let m
  if ((m = /^Array<(.+)>$/.exec(type)) || (m = /^(.+)\[\]$/.exec(type))) {
    return Array.isArray(value) ? value.flatMap((v, i) => strayFields(v, m[1], classes, `${at}[${i}]`)) : []
  }
  if ((m = /^Record<string, (.+)>$/.exec(type)) || (m = /^\{\[key: string\]: (.+)\}$/.exec(type))) {
    return Object.entries(value).flatMap(([k, v]) => strayFields(v, m[1], classes, `${at}.${k}`))
  }
  const fields = classes.get(type)
  if (!fields || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([k, v]) =>
    fields.has(k) ? strayFields(v, fields.get(k), classes, `${at}.${k}`) : [`${at}.${k} (not a field of ${type})`],
  )
}

// missingFields is strayFields the other way round: the fields of type that
// value lacks, as paths ("[3].pruned_at (a field of store.Run)"), looking
// into arrays, maps and nested classes. Go's encoding/json writes every
// field that is not omitempty (a nil pointer as null), so an answer
// without one is not an answer Go gives. models.ts cannot tell omitempty
// from a pointer (both are "name?:"), so the caller names the fields Go may
// leave out as "type.field" in omitted.
export function missingFields(value, type, classes, omitted = new Set(), at = '') {
  if (value === null || value === undefined) return []
  let m
  if ((m = /^Array<(.+)>$/.exec(type)) || (m = /^(.+)\[\]$/.exec(type))) {
    return Array.isArray(value) ? value.flatMap((v, i) => missingFields(v, m[1], classes, omitted, `${at}[${i}]`)) : []
  }
  if ((m = /^Record<string, (.+)>$/.exec(type)) || (m = /^\{\[key: string\]: (.+)\}$/.exec(type))) {
    return Object.entries(value).flatMap(([k, v]) => missingFields(v, m[1], classes, omitted, `${at}.${k}`))
  }
  const fields = classes.get(type)
  if (!fields || typeof value !== 'object') return []
  return [...fields].flatMap(([k, t]) => {
    if (k in value) return missingFields(value[k], t, classes, omitted, `${at}.${k}`)
    return omitted.has(`${type}.${k}`) ? [] : [`${at}.${k} (a field of ${type})`]
  })
}
