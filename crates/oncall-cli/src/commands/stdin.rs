//! Standard input read with a cap, so a runaway pipe cannot fill memory before a limit is checked.

use std::io::Read;

/// All of standard input, or `None` when it holds more than `limit` bytes (reading stops
/// just past the limit).
pub fn read_capped(limit: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() <= limit).then_some(bytes))
}
