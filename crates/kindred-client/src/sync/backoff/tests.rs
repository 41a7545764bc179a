//! Every branch of the retry classification and the backoff math.

use super::*;

fn http(status: u16, code: ErrorCode) -> TransportError {
    TransportError::http(status, code)
}

#[test]
fn a_revoked_device_stops() {
    assert_eq!(classify(&http(401, ErrorCode::DeviceRevoked)), Retry::Revoked);
}

#[test]
fn any_other_401_asks_to_reconnect() {
    assert_eq!(classify(&http(401, ErrorCode::TokenInvalid)), Retry::Reconnect);
    assert_eq!(classify(&http(401, ErrorCode::TokenExpired)), Retry::Reconnect);
    assert_eq!(classify(&http(401, ErrorCode::Unknown)), Retry::Reconnect);
}

#[test]
fn a_426_asks_for_an_upgrade() {
    assert_eq!(classify(&http(426, ErrorCode::Unknown)), Retry::Upgrade);
}

#[test]
fn a_changed_epoch_is_a_restore_with_its_restore_point() {
    let err = TransportError::Http {
        status: 409,
        code: ErrorCode::EpochChanged,
        retry_after_s: None,
        restore_point_seq: Some(17),
    };
    assert_eq!(classify(&err), Retry::Restore { restore_point_seq: Some(17) });
    assert_eq!(
        classify(&http(409, ErrorCode::EpochChanged)),
        Retry::Restore { restore_point_seq: None }
    );
}

#[test]
fn another_409_only_backs_off() {
    assert_eq!(classify(&http(409, ErrorCode::Unknown)), Retry::Backoff { retry_after_s: None });
}

#[test]
fn server_errors_and_rate_limits_back_off_with_their_retry_after() {
    assert_eq!(classify(&http(500, ErrorCode::Unknown)), Retry::Backoff { retry_after_s: None });
    let limited = TransportError::Http {
        status: 429,
        code: ErrorCode::Unknown,
        retry_after_s: Some(30),
        restore_point_seq: None,
    };
    assert_eq!(classify(&limited), Retry::Backoff { retry_after_s: Some(30) });
}

#[test]
fn no_answer_is_a_network_failure() {
    assert_eq!(classify(&TransportError::Network("timed out".into())), Retry::Network);
}

#[test]
fn the_delay_doubles_up_to_the_cap_with_full_jitter() {
    let almost_one = 1.0 - f64::EPSILON;
    assert_eq!(delay_ms(1, almost_one, None), 1999);
    assert_eq!(delay_ms(3, 0.5, None), 4000);
    assert_eq!(delay_ms(10, 0.5, None), BACKOFF_CAP_MS / 2);
    assert_eq!(delay_ms(60, 0.5, None), BACKOFF_CAP_MS / 2, "the exponent is clamped");
    assert_eq!(delay_ms(-3, 0.5, None), 500, "a bad count reads as none");
}

#[test]
fn the_delay_has_a_floor() {
    assert_eq!(delay_ms(1, 0.0, None), BACKOFF_MIN_MS);
    assert_eq!(delay_ms(1, 0.0, Some(30)), 30_000, "Retry-After is honoured");
    assert_eq!(delay_ms(20, 0.99, Some(3600)), 3_600_000, "even above the cap");
    assert_eq!(delay_ms(1, 0.0, Some(u64::MAX)), 600_000, "an absurd Retry-After reads as 10 min");
}

#[test]
fn a_fraction_is_in_the_unit_interval() {
    assert_eq!(unit_fraction(0), 0.0);
    assert!(unit_fraction(u128::MAX) < 1.0);
    assert_eq!(unit_fraction(1u128 << 63), 0.5);
}

#[test]
fn stopping_outcomes_keep_no_retry_and_draw_no_jitter() {
    let no_jitter = || -> f64 { panic!("no backoff here") };
    assert_eq!(
        outcome(Retry::Revoked, 3, 1000, no_jitter),
        Outcome { status: Status::Revoked, retry_at: None, failures: 3 }
    );
    assert_eq!(
        outcome(Retry::Reconnect, 3, 1000, no_jitter),
        Outcome { status: Status::Reconnect, retry_at: None, failures: 3 }
    );
}

#[test]
fn a_restore_retries_at_once_and_forgets_the_failures() {
    let no_jitter = || -> f64 { panic!("no backoff here") };
    assert_eq!(
        outcome(Retry::Restore { restore_point_seq: Some(5) }, 4, 1000, no_jitter),
        Outcome { status: Status::Offline, retry_at: Some(1000), failures: 0 }
    );
}

#[test]
fn backing_off_outcomes_retry_later() {
    assert_eq!(
        outcome(Retry::Network, 2, 1000, || 0.5),
        Outcome { status: Status::Offline, retry_at: Some(1000 + 2000), failures: 2 }
    );
    assert_eq!(
        outcome(Retry::Backoff { retry_after_s: Some(9) }, 1, 1000, || 0.0),
        Outcome { status: Status::Offline, retry_at: Some(1000 + 9000), failures: 1 }
    );
    assert_eq!(
        outcome(Retry::Upgrade, 1, 1000, || 0.0),
        Outcome { status: Status::Upgrade, retry_at: Some(1000 + 3_600_000), failures: 1 }
    );
}
