package tray

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// State colours of the tray icon, by fleet state ("" is unknown).
var stateColours = map[string]color.NRGBA{
	"green": {R: 0x16, G: 0xa3, B: 0x4a, A: 0xff},
	"amber": {R: 0xf5, G: 0x9e, B: 0x0b, A: 0xff},
	"red":   {R: 0xdc, G: 0x26, B: 0x26, A: 0xff},
	"":      {R: 0x9c, G: 0xa3, B: 0xaf, A: 0xff},
}

// icons holds one PNG per state, drawn once at start-up: no asset files.
var icons = func() map[string][]byte {
	out := make(map[string][]byte, len(stateColours))
	for state, c := range stateColours {
		out[state] = drawIcon(c, iconSize)
	}
	return out
}()

const iconSize = 32

// iconFor returns the PNG for a fleet state; unknown states are grey.
func iconFor(state string) []byte {
	if b, ok := icons[state]; ok {
		return b
	}
	return icons[""]
}

// drawIcon draws a disc in c with a darker rim and a light centre dot, so
// the icon reads on light and dark panels alike.
func drawIcon(c color.NRGBA, size int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	rim := color.NRGBA{R: c.R / 2, G: c.G / 2, B: c.B / 2, A: 0xff}
	centre := float64(size-1) / 2
	r := float64(size)/2 - 1
	for y := range size {
		for x := range size {
			dx, dy := float64(x)-centre, float64(y)-centre
			d2 := dx*dx + dy*dy
			switch {
			case d2 > r*r:
			case d2 > (r-2)*(r-2):
				img.SetNRGBA(x, y, rim)
			case d2 < (r/4)*(r/4):
				img.SetNRGBA(x, y, color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xe0})
			default:
				img.SetNRGBA(x, y, c)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // encoding an in-memory image cannot fail
	}
	return buf.Bytes()
}
