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
// themselves, resets passwords, and loads holiday calendars.
func adminCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		usage()
		return fmt.Errorf("admin needs create-admin, create-coordinator, reset-password or load-holidays")
	}
	sub := args[0]
	switch sub {
	case "load-holidays":
		return loadHolidaysCmd(ctx, args[1:])
	case "reset-password":
		return resetPasswordCmd(ctx, args[1:])
	}
	var cfg config
	fs := flag.NewFlagSet("admin "+sub, flag.ExitOnError)
	cfg.register(fs)
	email := fs.String("email", "", "sign-in email")
	password := fs.String("password", "", "password (at least 10 characters, not a common one)")
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
	if err := flagErrors(err); err != nil {
		return err
	}
	fmt.Printf("created %s (%s)\n", u.Email, sub)
	return nil
}

// resetPasswordCmd sets a user's password for them (one who forgot it, or
// whose account may be in other hands) and signs out all their sessions.
func resetPasswordCmd(ctx context.Context, args []string) error {
	var cfg config
	fs := flag.NewFlagSet("admin reset-password", flag.ExitOnError)
	cfg.register(fs)
	email := fs.String("email", "", "the user's sign-in email")
	password := fs.String("password", "", "the new password (at least 10 characters, not a common one)")
	_ = fs.Parse(args)
	log := newLogger(cfg.LogLevel)
	st, err := openInfra(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := usecase.New(st.store, usecase.Config{Log: log}).ResetPassword(ctx, usecase.Console, *email, *password)
	if finzone.IsCode(err, finzone.ECNotFound) {
		return fmt.Errorf("no user with email %q", *email)
	}
	if err := flagErrors(err); err != nil {
		return err
	}
	fmt.Printf("reset the password of %s; every session of theirs is signed out\n", u.Email)
	return nil
}

// flagErrors prints an operation's field errors as the flags at fault.
func flagErrors(err error) error {
	if fields := finzone.FieldErrors(err); len(fields) > 0 {
		for _, f := range fields {
			fmt.Printf("  --%s: %s\n", f.Field, i18n.Field(finzone.LangEN, f))
		}
		return fmt.Errorf("invalid flags")
	}
	return err
}
