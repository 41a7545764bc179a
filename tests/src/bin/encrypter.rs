//! A helper process for the kill -9 test of the encrypt-in-place migration: opens the device
//! store in the data folder given with the test key (which encrypts a plain file) and exits.

use kindred_tests::{open_device, real_options};

fn main() {
    let dir = std::env::args().nth(1).expect("usage: kindred-encrypter <data dir>");
    open_device(dir.as_ref(), real_options(chrono_tz::UTC)).expect("open");
}
