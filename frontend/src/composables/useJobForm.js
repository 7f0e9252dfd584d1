import { inject, provide } from 'vue'

// The New job wizard keeps its draft in one reactive object that its steps
// share: the page provides it, each step injects it and binds its fields.
const KEY = Symbol('job form')

export function provideJobForm(form) {
  provide(KEY, form)
  return form
}

export function useJobForm() {
  const form = inject(KEY, null)
  if (!form) throw new Error('useJobForm: no job form provided')
  return form
}
