// Labels for a chart's value axis. Chart.js picks round decimal ticks; once
// formatted (in KiB, or as a rounded percentage) two neighbours can read the
// same, and zero would carry a unit ("0 bytes", "0 bytes/s"). axisLabel
// returns the label of tick index of ticks: "0" for zero, and nothing for a
// tick that reads like the one below it, so no label repeats.
export function axisLabel(format, value, index, ticks) {
  if (Number(value) === 0) return '0'
  const label = format(value)
  if (index > 0 && ticks?.[index - 1]) {
    const below = ticks[index - 1].value
    if (Number(below) !== 0 && format(below) === label) return null
  }
  return label
}
