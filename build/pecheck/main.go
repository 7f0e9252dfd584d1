// Command pecheck checks that a file is a 64-bit x86 Windows GUI program
// (PE32+, machine AMD64, subsystem WINDOWS_GUI), as make build-windows
// must produce: a console subsystem would open a terminal beside the
// window, and a Linux binary named .exe would not start at all.
//
// Usage: go run ./build/pecheck FILE
package main

import (
	"debug/pe"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pecheck FILE")
		os.Exit(2)
	}
	if err := check(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "pecheck:", err)
		os.Exit(1)
	}
}

func check(name string) error {
	f, err := pe.Open(name)
	if err != nil {
		return fmt.Errorf("%s is not a Windows program: %w", name, err)
	}
	defer f.Close()
	if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		return fmt.Errorf("%s is for machine %#x, not x86-64 (%#x)", name, f.Machine, pe.IMAGE_FILE_MACHINE_AMD64)
	}
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok {
		return fmt.Errorf("%s is not PE32+ (64-bit)", name)
	}
	if oh.Subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
		return fmt.Errorf("%s has subsystem %d, not the Windows GUI (%d): it would open a console; build it with -H windowsgui", name, oh.Subsystem, pe.IMAGE_SUBSYSTEM_WINDOWS_GUI)
	}
	return nil
}
