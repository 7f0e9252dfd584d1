//go:build windows

package app

import (
	"golang.org/x/sys/windows"
)

var getConsoleWindow = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetConsoleWindow")

// showDesktopError puts the window's start-up error in a message box when
// the program has no console (the GUI build, -H windowsgui): its stderr
// goes nowhere, and a double-click would otherwise end in silence.
func showDesktopError(err error) error {
	if err == nil {
		return nil
	}
	if hwnd, _, _ := getConsoleWindow.Call(); hwnd != 0 {
		return err // a console reads stderr
	}
	text, _ := windows.UTF16PtrFromString(err.Error())
	title, _ := windows.UTF16PtrFromString("Borgdesk")
	windows.MessageBox(0, text, title, windows.MB_OK|windows.MB_ICONERROR)
	return err
}
