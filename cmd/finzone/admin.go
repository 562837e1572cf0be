package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"finzone"
	"finzone/i18n"
	"finzone/usecase"
)

// adminCmd creates platform admins and coordinators, who cannot register
// themselves, resets passwords, loads holiday calendars and rebuilds the
// dashboards' counters.
func adminCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || isHelp(args[0]) {
		usage(os.Stdout, "admin")
		if len(args) == 0 {
			return errBadUsage
		}
		return flag.ErrHelp
	}
	sub := args[0]
	switch sub {
	case "load-holidays":
		return loadHolidaysCmd(ctx, args[1:])
	case "reset-password":
		return resetPasswordCmd(ctx, args[1:])
	case "rebuild-stats":
		return rebuildStatsCmd(ctx, args[1:])
	case "create-admin", "create-coordinator":
	default:
		fmt.Fprintf(os.Stderr, "finzone: unknown admin command %q\n\n", sub)
		usage(os.Stderr, "admin")
		return errBadUsage
	}
	var cfg config
	var opts cmdOptions
	if _, err := parseFlags("admin "+sub, args[1:], &cfg, &opts); err != nil {
		return err
	}
	in := usecase.StaffInput{Email: opts.Email, Name: opts.Name, Password: opts.Password}
	if sub == "create-admin" {
		in.PlatformAdmin = true
	}
	for _, r := range strings.Split(opts.Regions, ",") {
		if r = strings.TrimSpace(r); r != "" {
			in.Regions = append(in.Regions, r)
		}
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
	var opts cmdOptions
	if _, err := parseFlags("admin reset-password", args, &cfg, &opts); err != nil {
		return err
	}
	email, password := &opts.Email, &opts.Password
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

// rebuildStatsCmd recounts the dashboards' counters from the projects and
// matches.
func rebuildStatsCmd(ctx context.Context, args []string) error {
	var cfg config
	if _, err := parseFlags("admin rebuild-stats", args, &cfg, &cmdOptions{}); err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	st, err := openInfra(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	if err := st.store.RebuildTallies(ctx); err != nil {
		return err
	}
	fmt.Printf("rebuilt the dashboards' counters in %s\n", time.Since(start).Round(time.Millisecond))
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
