package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"finzone"
	"finzone/api"
	"finzone/i18n"
)

// adminCmd creates platform admins and coordinators, who cannot register
// themselves.
func adminCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		usage()
		return fmt.Errorf("admin needs create-admin or create-coordinator")
	}
	sub := args[0]
	var cfg config
	fs := flag.NewFlagSet("admin "+sub, flag.ExitOnError)
	cfg.register(fs)
	email := fs.String("email", "", "sign-in email")
	password := fs.String("password", "", "password (at least 8 characters)")
	name := fs.String("name", "", "the person's name")
	regions := fs.String("regions", "", "comma-separated region codes a coordinator may see: 340000 (province), a city or a county")
	_ = fs.Parse(args[1:])

	probs := finzone.ValidateSignup("", finzone.NormalizeEmail(*email), *name, *password)
	var scope []string
	switch sub {
	case "create-admin":
	case "create-coordinator":
		for _, r := range strings.Split(*regions, ",") {
			if r = strings.TrimSpace(r); r == "" {
				continue
			}
			if _, ok := finzone.LookupRegion(r); !ok {
				probs.Add("regions", finzone.FCUnknown)
			}
			scope = append(scope, r)
		}
		if len(scope) == 0 {
			probs.Add("regions", finzone.FCRequired)
		}
	default:
		return fmt.Errorf("unknown admin command %q", sub)
	}
	if len(probs) > 0 {
		for _, p := range probs {
			fmt.Printf("  --%s: %s\n", p.Field, i18n.Field(finzone.LangEN, p))
		}
		return fmt.Errorf("invalid flags")
	}
	log := newLogger(cfg.LogLevel)
	in, err := openInfra(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer in.Close()
	hash, err := api.HashPassword(*password)
	if err != nil {
		return err
	}
	u := finzone.User{Email: finzone.NormalizeEmail(*email), Name: *name, PasswordHash: hash, Role: finzone.RoleAdmin}
	if sub == "create-admin" {
		u.PlatformAdmin = true
	} else {
		office, err := coordinatorOffice(ctx, in.store, scope[0])
		if err != nil {
			return err
		}
		u.OrgID, u.Regions = office.ID, scope
	}
	if err := in.store.CreateUser(ctx, &u); err != nil {
		if finzone.IsCode(err, finzone.ECConflict) {
			return fmt.Errorf("%s is already taken", u.Email)
		}
		return err
	}
	fmt.Printf("created %s (%s)\n", u.Email, sub)
	return nil
}
