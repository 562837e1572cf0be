package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"finzone"
	"finzone/i18n"
	"finzone/usecase"
)

// adminCmd creates platform admins and coordinators, who cannot register
// themselves, and loads holiday calendars.
func adminCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		usage()
		return fmt.Errorf("admin needs create-admin, create-coordinator or load-holidays")
	}
	sub := args[0]
	if sub == "load-holidays" {
		return loadHolidaysCmd(ctx, args[1:])
	}
	var cfg config
	fs := flag.NewFlagSet("admin "+sub, flag.ExitOnError)
	cfg.register(fs)
	email := fs.String("email", "", "sign-in email")
	password := fs.String("password", "", "password (at least 8 characters)")
	name := fs.String("name", "", "the person's name")
	regions := fs.String("regions", "", "comma-separated region codes a coordinator may see: 340000 (province), a city or a county")
	_ = fs.Parse(args[1:])

	in := usecase.StaffInput{Email: *email, Name: *name, Password: *password}
	switch sub {
	case "create-admin":
		in.PlatformAdmin = true
	case "create-coordinator":
		for _, r := range strings.Split(*regions, ",") {
			if r = strings.TrimSpace(r); r != "" {
				in.Regions = append(in.Regions, r)
			}
		}
	default:
		return fmt.Errorf("unknown admin command %q", sub)
	}
	log := newLogger(cfg.LogLevel)
	st, err := openInfra(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := usecase.New(st.store, usecase.Config{Log: log}).CreateStaff(ctx, usecase.Console, in)
	if fields := finzone.FieldErrors(err); len(fields) > 0 {
		for _, f := range fields {
			fmt.Printf("  --%s: %s\n", f.Field, i18n.Field(finzone.LangEN, f))
		}
		return fmt.Errorf("invalid flags")
	}
	if err != nil {
		return err
	}
	fmt.Printf("created %s (%s)\n", u.Email, sub)
	return nil
}
