// Command borgdesk is the Borgdesk desktop app and CLI. Wails builds the
// root package, so this file only embeds the frontend and hands over to app.
package main

import (
	"embed"
	"os"

	"borgdesk/app"
)

//go:embed all:frontend/dist
var assets embed.FS

func main() {
	os.Exit(app.Main(os.Args[1:], assets))
}
