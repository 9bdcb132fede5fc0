-- What each session has proved itself: a second factor is recorded when this session
-- gave a TOTP code, never inferred from the account (a half-finished sign-in must not
-- become a full one because the account's holder enrolled meanwhile).
ALTER TABLE sessions ADD COLUMN totp_proved {int} NOT NULL DEFAULT 0;
