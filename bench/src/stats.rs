//! Order statistics of a handful of samples.

/// The `p`-th percentile (0–100) by nearest rank: an observed value, never an interpolation.
pub fn percentile(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn median(samples: &[f64]) -> f64 {
    percentile(samples, 50.0)
}

pub fn p90(samples: &[f64]) -> f64 {
    percentile(samples, 90.0)
}

pub fn max(samples: impl IntoIterator<Item = f64>) -> f64 {
    samples.into_iter().fold(f64::NAN, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        assert_eq!(median(&samples), 5.0);
        assert_eq!(p90(&samples), 9.0);
        assert_eq!(percentile(&samples, 100.0), 10.0);
        assert_eq!(percentile(&samples, 0.0), 1.0);
        assert_eq!(median(&[7.0]), 7.0);
        assert!(median(&[]).is_nan());
        assert_eq!(max([1.0, 3.0, 2.0]), 3.0);
    }
}
