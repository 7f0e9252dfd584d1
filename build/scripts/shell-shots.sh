# Sourced by desktop-smoke.sh: screenshots of the Borgdesk window at each
# step of the shell self-test (app/selftest_shell.go), and the comparisons
# of their regions. The page reports each region in window pixels in $log4
# ("self-test-shell-region: STEP NAME X Y W H"); screenshots go to $out.
#
# Regions of the same run are compared with each other, never with golden
# files: fonts, times and data differ between machines, but within one run
# a sidebar that did not move is the same pixels, and a button that is not
# cut off looks the same at 1280 and at 1024 px wide.

# region STEP NAME: "X Y W H" of a region the page reported at STEP.
region() { awk -v s="$1" -v n="$2" '$1 == "self-test-shell-region:" && $2 == s && $3 == n { print $4, $5, $6, $7; exit }' "$log4"; }

# regions STEP PREFIX: the names of the regions of STEP that start with PREFIX.
regions() { awk -v s="$1" -v p="$2" '$1 == "self-test-shell-region:" && $2 == s && index($3, p) == 1 { print $3 }' "$log4"; }

# shell_shot STEP: a screenshot of the Borgdesk window alone, which must be
# the size the page reported, so its pixels are the page's coordinates.
shell_shot() {
  local size vw vh wid g
  size="$(awk -v s="$1" '$1 == "self-test-shell-view:" && $2 == s { print $3, $4; exit }' "$log4")"
  [ -n "$size" ] || { echo "the page reported no window size for step $1"; return 1; }
  read -r vw vh <<<"$size"
  for wid in $(xdotool search --onlyvisible --name '^Borgdesk$' 2>/dev/null); do
    g="$(xdotool getwindowgeometry --shell "$wid" | awk -F= '$1 == "WIDTH" { w = $2 } $1 == "HEIGHT" { h = $2 } END { print w "x" h }')"
    if [ "$g" = "${vw}x${vh}" ]; then
      import -window "$wid" "$out/shell-$1.png"
      return
    fi
  done
  echo "no Borgdesk window of ${vw}x${vh} for step $1; there are: $(xdotool search --name '^Borgdesk$' 2>/dev/null | xargs -r -n1 xdotool getwindowgeometry | tr '\n' ' ')"
  return 1
}

# crop SHOT STEP NAME FILE: region NAME as reported at STEP, cut out of the
# screenshot of step SHOT. A region not wholly inside the screenshot fails.
crop() {
  local r x y w h got
  r="$(region "$2" "$3")"
  [ -n "$r" ] || { echo "FAIL: the page reported no region $3 at step $2"; return 1; }
  read -r x y w h <<<"$r"
  convert "$out/shell-$1.png" -crop "${w}x${h}+${x}+${y}" +repage "$4" 2>/dev/null
  got="$(identify -format '%wx%h' "$4" 2>/dev/null)"
  if [ "$got" != "${w}x${h}" ]; then
    echo "FAIL: region $3 (${w}x${h}+${x}+${y}) is not inside the screenshot of step $1 ($(identify -format '%wx%h' "$out/shell-$1.png"))"
    return 1
  fi
}

# differ A B [FUZZ]: how many pixels of A and B differ (by more than FUZZ).
differ() { compare -metric AE ${3:+-fuzz "$3"} "$1" "$2" null: 2>&1 | awk '{ printf "%d", $1 }'; }

# area FILE: its pixel count. spread FILE: its grey standard deviation (0: one colour).
area() { identify -format '%[fx:w*h]' "$1"; }
spread() { convert "$1" -colorspace Gray -format '%[fx:standard_deviation]' info:; }
blank() { awk -v s="$(spread "$1")" 'BEGIN { exit !(s < 0.02) }'; }

compare_shell_shots() {
  local t n a name bad=0
  t="$(mktemp -d)"

  # 1. Scrolling the server page to its end leaves the sidebar's pixels as
  #    they were and changes the content pane's. A window that scrolled as a
  #    whole would move the sidebar up and leave blank space below it.
  if crop top top sidebar "$t/side-top.png" && crop scrolled top sidebar "$t/side-end.png" &&
    crop top top pane "$t/pane-top.png" && crop scrolled top pane "$t/pane-end.png"; then
    n="$(differ "$t/side-top.png" "$t/side-end.png")"
    a="$(differ "$t/pane-top.png" "$t/pane-end.png")"
    if blank "$t/side-top.png"; then
      echo "FAIL: the sidebar's region is blank in the screenshot: nothing to compare"; bad=1
    elif [ "$n" -ne 0 ]; then
      echo "FAIL: $n pixels of the sidebar changed when the server page scrolled to its end"; bad=1
    elif [ "$a" -lt "$(( $(area "$t/pane-top.png") / 100 ))" ]; then
      echo "FAIL: the content pane's pixels hardly changed ($a) when it scrolled: the comparison proves nothing"; bad=1
    else
      echo "ok: scrolled to the end, the sidebar is the same pixels ($(area "$t/side-top.png") compared) and $a pixels of the content pane changed"
    fi
  else bad=1; fi

  # 2. In the 800 px tall window the restore dialog's footer is inside the
  #    screenshot, and its Next button is painted where the page says: that
  #    region differs from the same place with the dialog closed.
  if crop dialog dialog footer "$t/footer.png" && crop dialog dialog next "$t/next-open.png" && crop dialog-closed dialog next "$t/next-closed.png"; then
    n="$(differ "$t/next-open.png" "$t/next-closed.png")"
    if blank "$t/next-open.png" || [ "$n" -lt "$(( $(area "$t/next-open.png") / 10 ))" ]; then
      echo "FAIL: no Next button is painted in the dialog's footer ($n of $(area "$t/next-open.png") pixels differ from the closed dialog)"; bad=1
    else
      echo "ok: the restore dialog's footer is inside the 800 px tall window, its Next painted ($n pixels differ from the dialog closed)"
    fi
  else bad=1; fi

  # 3. At 1024x768 each job's Run now and the Last run heading are inside
  #    the window and look as they do at 1280x800: a button cut off by the
  #    window or by a clipping table would not. The region at 1024 is
  #    searched 2 px around where the page says, since text may sit on
  #    another sub-pixel offset there: the best match here is about 0.05
  #    (normalised RMSE), the wrong place or a half-cut heading about 0.25.
  local names x y w h; names="$(regions jobs-wide run-now-) last-run-head"
  if [ -z "$(regions jobs-wide run-now-)" ]; then echo "FAIL: the Jobs page reported no Run now button"; bad=1; fi
  for name in $names; do
    crop jobs-wide jobs-wide "$name" "$t/$name-wide.png" && crop resized resized "$name" "$t/$name-1024.png" || { bad=1; continue; }
    if [ "$(identify -format '%wx%h' "$t/$name-wide.png")" != "$(identify -format '%wx%h' "$t/$name-1024.png")" ]; then
      echo "FAIL: $name is $(identify -format '%wx%h' "$t/$name-1024.png") at 1024x768 but $(identify -format '%wx%h' "$t/$name-wide.png") at 1280x800"; bad=1; continue
    fi
    read -r x y w h <<<"$(region resized "$name")"
    convert "$out/shell-resized.png" -crop "$((w + 4))x$((h + 4))+$((x - 2))+$((y - 2))" +repage "$t/$name-around.png"
    n="$(compare -metric RMSE -subimage-search "$t/$name-around.png" "$t/$name-wide.png" null: 2>&1 | sed -n 's/.*(\([0-9.e+-]*\)).*/\1/p')"
    if [ -z "$n" ] || blank "$t/$name-1024.png" || awk -v n="$n" 'BEGIN { exit !(n > 0.12) }'; then
      echo "FAIL: $name at 1024x768 does not look as at 1280x800 (normalised RMSE ${n:-unknown}; at most 0.12), or is blank"; bad=1
    else
      echo "ok: $name at 1024x768 is inside the window and looks as at 1280x800 (normalised RMSE $n)"
    fi
  done
  rm -rf "$t"
  return "$bad"
}
