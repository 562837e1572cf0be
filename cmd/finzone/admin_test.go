package main

import (
	"context"
	"flag"
	"log/slog"
	"testing"

	"finzone"
	"finzone/usecase"
)

// TestAdminResetPassword: the console sets a user's password and signs
// out every session of theirs; the old password stops working, the new
// one works at once, even on a throttled account; a weak password or an
// unknown email changes nothing.
func TestAdminResetPassword(t *testing.T) {
	ctx := context.Background()
	infraArgs := []string{"-data-dir", t.TempDir(), "-embedded-mongo-addr", "127.0.0.1:0", "-mongo-uri", "", "-redis-url", "", "-log-level", "warn"}
	const email, oldPW, newPW = "fuyang@example.cn", "fuyang-old-passphrase", "fuyang-new-passphrase"
	if err := adminCmd(ctx, append([]string{"create-coordinator", "--email", email, "--password", oldPW, "--name", "阜阳协调员",
		"--regions", "341200"}, infraArgs...)); err != nil {
		t.Fatalf("create coordinator: %v", err)
	}
	// withService runs f on the use cases over the command's store.
	withService := func(f func(uc *usecase.Service)) {
		t.Helper()
		var cfg config
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		cfg.register(fs)
		if err := fs.Parse(infraArgs); err != nil {
			t.Fatal(err)
		}
		in, err := openInfra(ctx, cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		f(usecase.New(in.store, usecase.Config{}))
	}
	signIn := func(uc *usecase.Service, pw string) (string, error) {
		s, err := uc.SignIn(ctx, finzone.Actor{}, usecase.SignInInput{Email: email, Password: pw})
		return s.Token, err
	}
	var tokens []string
	withService(func(uc *usecase.Service) {
		for range 2 {
			tok, err := signIn(uc, oldPW)
			if err != nil {
				t.Fatalf("sign in: %v", err)
			}
			tokens = append(tokens, tok)
		}
		// Someone guesses until the account is throttled; the reset lifts it.
		for range finzone.AccountThrottle.Max {
			if _, err := signIn(uc, "a-wrong-guess"); !finzone.IsCode(err, finzone.ECInvalidCredentials) {
				t.Fatalf("a wrong guess: got %v", err)
			}
		}
		if _, err := signIn(uc, oldPW); !finzone.IsCode(err, finzone.ECTooManyAttempts) {
			t.Fatalf("after five wrong guesses: got %v, want too_many_attempts", err)
		}
	})

	for _, bad := range [][]string{
		{"--email", email, "--password", "short"},
		{"--email", email, "--password", "password123"},
		{"--email", "nobody@example.cn", "--password", newPW},
	} {
		if err := adminCmd(ctx, append(append([]string{"reset-password"}, bad...), infraArgs...)); err == nil {
			t.Errorf("reset-password %v: got no error", bad)
		}
	}
	withService(func(uc *usecase.Service) {
		if _, err := uc.Authenticate(ctx, tokens[0]); err != nil {
			t.Errorf("after refused resets: the session is %v, want signed in", err)
		}
	})

	if err := adminCmd(ctx, append([]string{"reset-password", "--email", " Fuyang@Example.CN ", "--password", newPW}, infraArgs...)); err != nil {
		t.Fatalf("reset-password: %v", err)
	}
	withService(func(uc *usecase.Service) {
		for _, tok := range tokens {
			if _, err := uc.Authenticate(ctx, tok); !finzone.IsCode(err, finzone.ECUnauthenticated) {
				t.Errorf("a session from before the reset: got %v, want unauthenticated", err)
			}
		}
		if _, err := signIn(uc, oldPW); !finzone.IsCode(err, finzone.ECInvalidCredentials) {
			t.Errorf("the old password: got %v, want unauthenticated", err)
		}
		if _, err := signIn(uc, newPW); err != nil {
			t.Errorf("the new password: got %v, want signed in", err)
		}
	})
}
