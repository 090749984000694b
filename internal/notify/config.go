package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"
)

// Config is the SMS configuration file (--sms-config): named providers and
// per-hall choices. Secrets are never written in it: a provider names the
// environment variable or the file that holds its password or key.
//
//	{"providers": {"centre": {"type": "smpp", "addr": "10.0.0.5:2775",
//	   "system_id": "mingbai", "password_env": "MINGBAI_SMPP_PASSWORD",
//	   "source_addr": "106900001234", "rate": 50}},
//	 "default": "centre",
//	 "halls": {"1": {"provider": "centre", "window": "08:00-21:00",
//	   "days": "1-6", "daily_limit": 5}}}
type Config struct {
	Providers map[string]ProviderConfig `json:"providers"`
	// Default names the provider of halls not listed (default "log").
	Default string                `json:"default"`
	Halls   map[string]HallConfig `json:"halls"`
	// LeaseSeconds is how long a claimed message is kept from other
	// senders (default 120): after a crash, parts left submitting become
	// unknown, and are queried, once their lease ends. It must exceed the
	// time one message may take (submit timeout × parts).
	LeaseSeconds int `json:"lease_seconds"`
	// QueryAfterSeconds is the wait before an unknown result is queried
	// (default 60).
	QueryAfterSeconds int `json:"query_after_seconds"`
}

// QueryAfter returns the configured wait before a status query.
func (c Config) QueryAfter() time.Duration {
	if c.QueryAfterSeconds <= 0 {
		return time.Minute
	}
	return time.Duration(c.QueryAfterSeconds) * time.Second
}

// Lease returns the configured lease.
func (c Config) Lease() time.Duration {
	if c.LeaseSeconds <= 0 {
		return 2 * time.Minute
	}
	return time.Duration(c.LeaseSeconds) * time.Second
}

// ProviderConfig configures one provider.
type ProviderConfig struct {
	Type string `json:"type"` // smpp, cloud or log
	// SMPP
	Addr       string `json:"addr"`
	SystemID   string `json:"system_id"`
	SystemType string `json:"system_type"`
	SourceAddr string `json:"source_addr"`
	OutIDTag   uint16 `json:"out_id_tag"`
	// EnquireLinkSeconds and SubmitTimeoutSeconds tune the bind.
	EnquireLinkSeconds   int `json:"enquire_link_seconds"`
	SubmitTimeoutSeconds int `json:"submit_timeout_seconds"`
	// Cloud HTTP
	Endpoint    string `json:"endpoint"`
	Vendor      string `json:"vendor"`
	AccessKeyID string `json:"access_key_id"`
	SignName    string `json:"sign_name"`
	// Secrets: the password (SMPP) or access secret (cloud), read from
	// the named environment variable or file.
	PasswordEnv  string `json:"password_env"`
	PasswordFile string `json:"password_file"`
	// CallbackSecretEnv (or CallbackSecretFile) holds the shared secret
	// push callbacks (receipts, replies) are signed with.
	CallbackSecretEnv  string  `json:"callback_secret_env"`
	CallbackSecretFile string  `json:"callback_secret_file"`
	Rate               float64 `json:"rate"`
	Burst              int     `json:"burst"`
}

func (p ProviderConfig) vendor() string {
	if p.Vendor == "" {
		return "aliyun"
	}
	return p.Vendor
}

// HallConfig is a hall's choice of provider and its sending policy.
type HallConfig struct {
	Provider   string `json:"provider"`
	Window     string `json:"window"`
	Days       string `json:"days"`
	DailyLimit int    `json:"daily_limit"`
	// Reminder is the hall's rule for contribution reminders.
	Reminder *RuleConfig `json:"reminder"`
}

// RuleConfig is the configuration form of a Rule.
type RuleConfig struct {
	DaysBefore       int `json:"days_before"`
	SecondDaysBefore int `json:"second_days_before"`
	YearlyDeadline   int `json:"yearly_deadline_month"`
}

// Rule returns a hall's reminder rule (DefaultRule when not configured).
func (c Config) Rule(hallID int64) Rule {
	h, ok := c.Halls[fmt.Sprint(hallID)]
	if !ok || h.Reminder == nil {
		return DefaultRule
	}
	r := Rule{DaysBefore: h.Reminder.DaysBefore, SecondDaysBefore: h.Reminder.SecondDaysBefore, YearlyDeadline: time.Month(h.Reminder.YearlyDeadline)}
	if r.YearlyDeadline < 1 || r.YearlyDeadline > 12 {
		r.YearlyDeadline = time.June
	}
	return r
}

// LoadConfig reads and checks a configuration file.
func LoadConfig(path string) (Config, error) {
	var c Config
	b, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	for name, p := range c.Providers {
		switch p.Type {
		case "smpp":
			if p.Addr == "" || p.SystemID == "" {
				return c, fmt.Errorf("%s: provider %q needs addr and system_id", path, name)
			}
		case "cloud":
			if p.Endpoint == "" || p.SignName == "" || p.AccessKeyID == "" {
				return c, fmt.Errorf("%s: provider %q needs endpoint, access_key_id and sign_name", path, name)
			}
			if _, ok := Vendors[p.vendor()]; !ok {
				return c, fmt.Errorf("%s: provider %q names unknown vendor %q", path, name, p.Vendor)
			}
			if p.CallbackSecretEnv == "" && p.CallbackSecretFile == "" {
				return c, fmt.Errorf("%s: provider %q needs callback_secret_env or callback_secret_file", path, name)
			}
		case "log":
		default:
			return c, fmt.Errorf("%s: provider %q has unknown type %q", path, name, p.Type)
		}
	}
	for hall, h := range c.Halls {
		if _, ok := c.Providers[h.Provider]; !ok && h.Provider != "log" && h.Provider != "" {
			return c, fmt.Errorf("%s: hall %s names unknown provider %q", path, hall, h.Provider)
		}
		if _, err := ParseWindow(h.Window, h.Days, time.UTC); err != nil {
			return c, fmt.Errorf("%s: hall %s: %w", path, hall, err)
		}
	}
	return c, nil
}

// LoadSecret returns a secret from an environment variable or a file
// (trailing newline trimmed). The value is never logged.
func LoadSecret(env, file string) (string, error) {
	if env != "" {
		if v, ok := os.LookupEnv(env); ok {
			return v, nil
		}
		if file == "" {
			return "", fmt.Errorf("environment variable %s is not set", env)
		}
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return "", nil
}

// Build starts the configured providers and returns the chooser the
// sender uses; close stops them.
func (c Config) Build(sink Sink, log *slog.Logger) (choose func(hallID int64) Provider, all map[string]Provider, closeAll func(), err error) {
	all = map[string]Provider{"log": LogProvider{Log: log}}
	var closers []func()
	closeAll = func() {
		for _, f := range closers {
			f()
		}
	}
	for name, pc := range c.Providers {
		secret, err := LoadSecret(pc.PasswordEnv, pc.PasswordFile)
		if err != nil {
			closeAll()
			return nil, nil, nil, fmt.Errorf("provider %s: %w", name, err)
		}
		switch pc.Type {
		case "smpp":
			p := DialSMPP(SMPPConfig{Name: name, Addr: pc.Addr, SystemID: pc.SystemID, Password: secret, SystemType: pc.SystemType,
				SourceAddr: pc.SourceAddr, OutIDTag: pc.OutIDTag, Rate: pc.Rate, Burst: pc.Burst, Sink: sink, Log: log,
				EnquireLink: time.Duration(pc.EnquireLinkSeconds) * time.Second, SubmitTimeout: time.Duration(pc.SubmitTimeoutSeconds) * time.Second})
			closers = append(closers, func() { p.Close() })
			all[name] = p
		case "cloud":
			cb, err := LoadSecret(pc.CallbackSecretEnv, pc.CallbackSecretFile)
			if err == nil && cb == "" {
				err = errors.New("the callback secret is empty")
			}
			if err != nil {
				closeAll()
				return nil, nil, nil, fmt.Errorf("provider %s: callback secret: %w", name, err)
			}
			all[name] = NewCloud(CloudConfig{Name: name, Vendor: Vendors[pc.vendor()], CallbackSecret: cb, Rate: pc.Rate, Burst: pc.Burst, Log: log,
				Timeout: time.Duration(pc.SubmitTimeoutSeconds) * time.Second,
				Account: CloudAccount{Endpoint: pc.Endpoint, AccessKeyID: pc.AccessKeyID, Secret: secret, SignName: pc.SignName}})
		case "log":
			all[name] = LogProvider{Log: log}
		}
	}
	def := c.Default
	if def == "" {
		def = "log"
	}
	if _, ok := all[def]; !ok {
		closeAll()
		return nil, nil, nil, fmt.Errorf("default provider %q is not configured", def)
	}
	choose = func(hallID int64) Provider {
		if h, ok := c.Halls[fmt.Sprint(hallID)]; ok && h.Provider != "" {
			if p, ok := all[h.Provider]; ok {
				return p
			}
		}
		return all[def]
	}
	return choose, all, closeAll, nil
}
