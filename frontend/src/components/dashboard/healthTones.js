// Colours of the three health states, shared by the dashboard's pieces.
export const TILE = {
  red: 'bg-red-500 hover:bg-red-600 dark:bg-red-500/90 dark:hover:bg-red-400',
  amber: 'bg-amber-400 hover:bg-amber-500 dark:bg-amber-400/90 dark:hover:bg-amber-300',
  green: 'bg-emerald-500 hover:bg-emerald-600 dark:bg-emerald-500/80 dark:hover:bg-emerald-400',
}

export const SOFT = {
  red: 'border-red-200 bg-red-50 text-red-800 dark:border-red-500/30 dark:bg-red-500/10 dark:text-red-300',
  amber: 'border-amber-200 bg-amber-50 text-amber-900 dark:border-amber-500/30 dark:bg-amber-500/10 dark:text-amber-200',
  green: 'border-emerald-200 bg-emerald-50 text-emerald-800 dark:border-emerald-500/30 dark:bg-emerald-500/10 dark:text-emerald-300',
}

export const DOT = {
  red: 'bg-red-500',
  amber: 'bg-amber-400',
  green: 'bg-emerald-500',
}
