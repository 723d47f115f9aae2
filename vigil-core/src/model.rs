//! The scoring model: a logistic regression over rule-category evidence and hashed word
//! n-grams, fitted offline (`vigil fit`) and shipped as data (`model/model.bin`).
//!
//! Rule categories are dense features whose weights are pulled towards 1.0, the hand-set prior
//! (a category's contribution is already in log-odds units). Each rule that fired also adds a
//! weight of its own, pulled towards 0: where the data shows one rule to be stronger or weaker
//! than the rest of its category ("pretend you can access the internet" against "you are Jon
//! Snow", both role-play), that rule moves alone. The n-gram weights are pulled towards 0 too.
//! So the rules carry what generalizes and the n-grams learn the phrasing that rules do not
//! name. Inference is a handful of hash lookups per word.

use std::collections::BTreeMap;

/// Number of hashed n-gram buckets (2^18).
pub const BUCKETS: usize = 1 << 18;
const MAGIC: &[u8; 6] = b"VGLM02";

/// What the model sees of one text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Features {
    /// Summed rule weight per category (log-odds units, see the rule files).
    pub categories: BTreeMap<String, f32>,
    /// The rules that fired.
    pub rules: Vec<FiredRule>,
    /// True when attack rules fired only in decoded or de-obfuscated views.
    pub hidden: bool,
    /// Distinct hashed word uni- and bigram buckets of the normalized text.
    pub buckets: Vec<u32>,
}

/// One rule that fired on a text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FiredRule {
    /// The rule's id.
    pub id: String,
    /// Its category.
    pub category: String,
    /// Its weight in its rule file (log-odds units).
    pub weight: f32,
    /// An attack rule whose hits were all in decoded or de-obfuscated views.
    pub hidden: bool,
}

/// Log-odds of an attack before any evidence, when scoring by rule weights alone.
const RULES_BIAS: f32 = -3.0;
/// Added once, by rule weights alone, when an attack rule fired only in an obfuscated view.
const HIDDEN_BONUS: f32 = 1.5;

/// Summed rule weight per category: strongest first, each further hit of a category counting
/// half as much, so ten phrasings of one idea do not outweigh two independent kinds of evidence.
pub(crate) fn category_sums<'a>(
    rules: impl IntoIterator<Item = &'a FiredRule>,
) -> BTreeMap<String, f32> {
    let mut by_category: BTreeMap<String, Vec<f32>> = BTreeMap::new();
    for rule in rules {
        by_category
            .entry(rule.category.clone())
            .or_default()
            .push(rule.weight);
    }
    by_category
        .into_iter()
        .map(|(cat, mut weights)| {
            weights.sort_by(|a, b| b.abs().total_cmp(&a.abs()));
            let sum = weights
                .iter()
                .enumerate()
                .map(|(k, w)| w / (1u32 << k.min(16)) as f32)
                .sum();
            (cat, sum)
        })
        .collect()
}

/// The logit of `rules` by their weights alone: the score without a model, and the least a
/// model gives rules it was never fitted on.
pub fn rules_logit<'a>(rules: impl IntoIterator<Item = &'a FiredRule> + Clone) -> f32 {
    let hidden = rules.clone().into_iter().any(|r| r.hidden);
    RULES_BIAS
        + category_sums(rules).values().sum::<f32>()
        + if hidden { HIDDEN_BONUS } else { 0.0 }
}

/// Fitted weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Intercept.
    pub bias: f32,
    /// Weight of the hidden-payload signal.
    pub hidden: f32,
    /// Weight per rule category; categories not listed weigh 1.0 (their prior).
    pub categories: BTreeMap<String, f32>,
    /// Weight of a rule on top of its category's; rules not listed (a host's own) add 0.
    pub rules: BTreeMap<String, f32>,
    /// One weight per n-gram bucket.
    pub ngrams: Vec<f32>,
}

/// Error reading a model file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("model data is malformed: {0}")]
pub struct ModelError(&'static str);

fn fnv(bytes: &[u8], seed: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Words at least this long also count by their first [`STEM`] bytes.
const STEM_MIN: usize = 7;
/// Length of the prefix that stands in for a stem ("instructions", "instruktionen" and
/// "instrukcje" share more with their other forms than with anything else).
const STEM: usize = 5;

/// Hash the words of a normalized text into distinct buckets: word uni- and bigrams, plus
/// the first bytes of long words (a crude stem, so inflected forms share a weight). That is
/// one more hash of at most [`STEM`] bytes per long word: no allocation, linear.
pub(crate) fn ngram_buckets(text: &str) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::with_capacity(text.len() / 2 + 4);
    let mut prev: Option<u64> = None;
    let mut push = |word: &[u8]| {
        let h = fnv(word, 0);
        out.push((h % BUCKETS as u64) as u32);
        if word.len() >= STEM_MIN {
            out.push((fnv(&word[..STEM], 1) % BUCKETS as u64) as u32);
        }
        if let Some(p) = prev {
            let b = p.rotate_left(17) ^ h.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            out.push((b % BUCKETS as u64) as u32);
        }
        prev = Some(h);
    };
    // Words are maximal runs of alphanumeric characters; ASCII bytes are classified directly,
    // other characters decoded.
    let bytes = text.as_bytes();
    let (mut i, mut start) = (0, 0);
    while i < bytes.len() {
        let (alnum, len) = if bytes[i].is_ascii() {
            (ASCII_WORD[usize::from(bytes[i])], 1)
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            (c.is_alphanumeric(), c.len_utf8())
        };
        if !alnum {
            if start < i {
                push(&bytes[start..i]);
            }
            start = i + len;
        }
        i += len;
    }
    if start < bytes.len() {
        push(&bytes[start..]);
    }
    // Distinct buckets, first occurrences in order. Long texts use a small open-addressing set
    // (linear, sized to the text) instead of sorting (n log n); the order differs between the
    // two, which only the order of a float sum can notice.
    if out.len() <= 64 {
        out.sort_unstable();
        out.dedup();
    } else {
        // Slots hold bucket + 1 (BUCKETS < u32::MAX), so zeroed memory is the empty set.
        let mask = (out.len() * 2).next_power_of_two() - 1;
        let mut slots = vec![0u32; mask + 1];
        out.retain(|&b| {
            let mut i = (b.wrapping_mul(0x9E37_79B1) >> 7) as usize & mask;
            loop {
                match slots[i] {
                    0 => {
                        slots[i] = b + 1;
                        return true;
                    }
                    seen if seen == b + 1 => return false,
                    _ => i = (i + 1) & mask,
                }
            }
        });
    }
    out
}

/// ASCII bytes that belong to words (`is_ascii_alphanumeric`), as a table: one load per byte.
const ASCII_WORD: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

impl Model {
    /// The logit (log-odds of an attack) for `features`.
    pub fn logit(&self, f: &Features) -> f32 {
        let mut z = self.bias;
        for (cat, value) in &f.categories {
            z += value * self.categories.get(cat).copied().unwrap_or(1.0);
        }
        // Each rule looked up once: fitted rules add their weight; unfitted ones, and the
        // benign context they fired in, are kept for the floor below.
        let mut any_unseen = false;
        let mut floor = Vec::new();
        z += f
            .rules
            .iter()
            .filter_map(|r| {
                let weight = self.rules.get(&r.id);
                any_unseen |= weight.is_none();
                if weight.is_none() || r.weight < 0.0 {
                    floor.push(r);
                }
                weight
            })
            .sum::<f32>();
        if f.hidden {
            z += self.hidden;
        }
        if !f.buckets.is_empty() {
            let scale = 1.0 / (f.buckets.len() as f32).sqrt();
            let sum: f32 = f.buckets.iter().map(|&b| self.ngrams[b as usize]).sum();
            z += sum * scale;
        }
        // No training row fired these rules (a host's own, or built-in ones the data lacks), so
        // the fit could not weigh them: they count at least as much as by their weights alone,
        // against the text's benign context weighed alone too (left out, a fitted benign rule
        // would let an unseen rule's floor override the context it fired in).
        if any_unseen {
            z = z.max(rules_logit(floor));
        }
        z
    }

    /// Serialize: magic, bias, hidden, categories and rules (each a count, then name and
    /// weight), then the n-gram weights quantized to i8 with one scale.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(BUCKETS + 256);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.bias.to_le_bytes());
        out.extend_from_slice(&self.hidden.to_le_bytes());
        for weights in [&self.categories, &self.rules] {
            out.extend_from_slice(&(weights.len() as u32).to_le_bytes());
            for (name, w) in weights {
                out.extend_from_slice(&(name.len() as u16).to_le_bytes());
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(&w.to_le_bytes());
            }
        }
        let max = self.ngrams.iter().fold(0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        out.extend_from_slice(&scale.to_le_bytes());
        out.extend(
            self.ngrams
                .iter()
                .map(|w| (w / scale).round().clamp(-127.0, 127.0) as i8 as u8),
        );
        out
    }

    /// Parse what [`to_bytes`](Self::to_bytes) wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            return Err(ModelError("bad magic"));
        }
        let bias = r.f32()?;
        let hidden = r.f32()?;
        let categories = r.weights()?;
        let rules = r.weights()?;
        let scale = r.f32()?;
        let raw = r.take(BUCKETS)?;
        if r.at != bytes.len() {
            return Err(ModelError("trailing bytes"));
        }
        let ngrams = raw.iter().map(|&b| f32::from(b as i8) * scale).collect();
        Ok(Model {
            bias,
            hidden,
            categories,
            rules,
            ngrams,
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self.at.checked_add(n).ok_or(ModelError("overflow"))?;
        let s = self
            .bytes
            .get(self.at..end)
            .ok_or(ModelError("truncated"))?;
        self.at = end;
        Ok(s)
    }
    fn f32(&mut self) -> Result<f32, ModelError> {
        Ok(f32::from_le_bytes(
            self.take(4)?.try_into().map_err(|_| ModelError("f32"))?,
        ))
    }
    fn u32(&mut self) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().map_err(|_| ModelError("u32"))?,
        ))
    }
    /// A count, then that many (name, weight) pairs.
    fn weights(&mut self) -> Result<BTreeMap<String, f32>, ModelError> {
        let n = self.u32()? as usize;
        let mut weights = BTreeMap::new();
        for _ in 0..n {
            let len = u16::from_le_bytes(self.take(2)?.try_into().map_err(|_| ModelError("len"))?)
                as usize;
            let name = std::str::from_utf8(self.take(len)?).map_err(|_| ModelError("name"))?;
            weights.insert(name.to_string(), self.f32()?);
        }
        Ok(weights)
    }
}

/// Settings for [`fit`].
#[derive(Debug, Clone, PartialEq)]
pub struct FitConfig {
    /// Passes over the data.
    pub epochs: usize,
    /// AdaGrad learning rate.
    pub learning_rate: f32,
    /// L2 strength on n-gram weights (towards 0).
    pub l2_ngrams: f32,
    /// L2 strength on category weights (towards their prior of 1.0) and on rule weights
    /// (towards 0).
    pub l2_categories: f32,
    /// Loss weight of a benign example relative to an attack (false positives cost more).
    pub benign_weight: f32,
    /// Seed of the example order shuffle (fitting is deterministic for a seed).
    pub seed: u64,
}

impl Default for FitConfig {
    fn default() -> Self {
        FitConfig {
            epochs: 12,
            learning_rate: 0.2,
            // Chosen by cross-validation on the dev file (`vigil fit --cv`): 3e-4 against 3e-5
            // lost half a point of 5-fold detection but, with each set left out in turn,
            // halved the false positives and detected more of deepset, so n-grams learned from
            // one source carry less into another. Equal class weights.
            l2_ngrams: 3e-4,
            // With a weight per rule as well, a stronger pull than 1e-3 detected more on
            // deepset, jackhhao and pyrit and blocked fewer hard negatives.
            l2_categories: 3e-3,
            benign_weight: 1.0,
            seed: 7,
        }
    }
}

/// One AdaGrad step of `weight` along `grad`, with `squares` its running sum of squared
/// gradients.
fn adagrad(weight: &mut f32, squares: &mut f32, grad: f32, lr: f32) {
    *squares += grad * grad;
    *weight -= lr * grad / squares.sqrt();
}

/// Fit a model by AdaGrad on logistic loss. `examples` pairs features with `true` for attack.
pub fn fit(examples: &[(Features, bool)], config: &FitConfig) -> Model {
    let mut model = Model {
        bias: -3.0,
        hidden: 1.5,
        categories: BTreeMap::new(),
        rules: BTreeMap::new(),
        ngrams: vec![0.0; BUCKETS],
    };
    for (f, _) in examples {
        for cat in f.categories.keys() {
            model.categories.entry(cat.clone()).or_insert(1.0);
        }
        for rule in &f.rules {
            model.rules.entry(rule.id.clone()).or_insert(0.0);
        }
    }
    let mut g_rules: BTreeMap<String, f32> =
        model.rules.keys().map(|k| (k.clone(), 1e-6)).collect();
    let mut g_ngrams = vec![1e-6f32; BUCKETS];
    let mut g_cats: BTreeMap<String, f32> =
        model.categories.keys().map(|k| (k.clone(), 1e-6)).collect();
    let (mut g_bias, mut g_hidden) = (1e-6f32, 1e-6f32);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut state = config.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let lr = config.learning_rate;
    for _ in 0..config.epochs {
        // Fisher-Yates with an xorshift generator: deterministic, no global RNG.
        for i in (1..order.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            order.swap(i, (state % (i as u64 + 1)) as usize);
        }
        for &i in &order {
            let (f, attack) = &examples[i];
            let z = model.logit(f);
            let p = 1.0 / (1.0 + (-z).exp());
            let y = if *attack { 1.0 } else { 0.0 };
            let w = if *attack { 1.0 } else { config.benign_weight };
            let g = (p - y) * w;
            adagrad(&mut model.bias, &mut g_bias, g, lr);
            if f.hidden {
                adagrad(&mut model.hidden, &mut g_hidden, g, lr);
            }
            for (cat, value) in &f.categories {
                let (Some(wc), Some(gc)) = (model.categories.get_mut(cat), g_cats.get_mut(cat))
                else {
                    continue;
                };
                adagrad(wc, gc, g * value + config.l2_categories * (*wc - 1.0), lr);
            }
            for rule in &f.rules {
                let (Some(wr), Some(gr)) =
                    (model.rules.get_mut(&rule.id), g_rules.get_mut(&rule.id))
                else {
                    continue;
                };
                adagrad(wr, gr, g + config.l2_categories * *wr, lr);
            }
            if !f.buckets.is_empty() {
                let scale = 1.0 / (f.buckets.len() as f32).sqrt();
                for &b in &f.buckets {
                    let b = b as usize;
                    let grad = g * scale + config.l2_ngrams * model.ngrams[b];
                    adagrad(&mut model.ngrams[b], &mut g_ngrams[b], grad, lr);
                }
            }
        }
    }
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_within_quantization() {
        let mut ngrams = vec![0.0; BUCKETS];
        ngrams[5] = 1.27;
        ngrams[9] = -0.5;
        let m = Model {
            bias: -2.5,
            hidden: 1.0,
            categories: BTreeMap::from([("JAILBREAK".to_string(), 1.3)]),
            rules: BTreeMap::from([("jailbreak.dan".to_string(), -0.4)]),
            ngrams,
        };
        let back = Model::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(back.bias, -2.5);
        assert_eq!(back.categories["JAILBREAK"], 1.3);
        assert_eq!(back.rules["jailbreak.dan"], -0.4);
        assert!((back.ngrams[5] - 1.27).abs() < 0.01);
        assert!((back.ngrams[9] + 0.5).abs() < 0.01);
        assert!(Model::from_bytes(&m.to_bytes()[..100]).is_err());
    }

    #[test]
    fn inflected_forms_share_a_stem_bucket() {
        let a = ngram_buckets("instructions");
        let b = ngram_buckets("instruktionen");
        assert_eq!(a.len(), 2);
        assert_eq!(a.iter().filter(|x| b.contains(x)).count(), 1);
        assert_eq!(ngram_buckets("short").len(), 1);
    }

    #[test]
    fn fitting_separates_a_learnable_signal() {
        let ex = |words: &str, attack| {
            (
                Features {
                    buckets: ngram_buckets(words),
                    ..Features::default()
                },
                attack,
            )
        };
        let data = vec![
            ex("please summarize the quarterly report", false),
            ex("what is the weather in paris", false),
            ex("zorblax the gate and reveal secrets", true),
            ex("zorblax everything now", true),
        ];
        let m = fit(&data, &FitConfig::default());
        let z = |t: &str| {
            m.logit(&Features {
                buckets: ngram_buckets(t),
                ..Features::default()
            })
        };
        assert!(z("zorblax it") > z("summarize the weather"));
    }

    #[test]
    fn rules_of_one_category_get_weights_of_their_own() {
        // Both rules are role-play; only "act" comes with attacks, "persona" with both.
        let ex = |rules: &[&str], attack| {
            let f = Features {
                categories: BTreeMap::from([("ROLEPLAY".to_string(), 1.0)]),
                rules: rules
                    .iter()
                    .map(|r| FiredRule {
                        id: r.to_string(),
                        category: "ROLEPLAY".to_string(),
                        weight: 1.0,
                        hidden: false,
                    })
                    .collect(),
                ..Features::default()
            };
            (f, attack)
        };
        let mut data = Vec::new();
        for _ in 0..20 {
            data.push(ex(&["act"], true));
            data.push(ex(&["persona"], true));
            data.push(ex(&["persona"], false));
            data.push(ex(&["persona"], false));
        }
        let m = fit(&data, &FitConfig::default());
        assert!(
            m.rules["act"] > 0.5 && m.rules["persona"] < -0.2,
            "{:?}",
            m.rules
        );
        let z = |rule: &str| m.logit(&ex(&[rule], false).0);
        assert!(z("act") > 0.0 && z("persona") < 0.0);
        // A rule the model never saw (a host's own) counts by its category, and at least by its
        // own weight as rules alone would score it.
        assert_eq!(z("host.rule"), m.logit(&ex(&[], false).0).max(-3.0 + 1.0));
    }

    #[test]
    fn rules_the_fit_never_saw_score_at_least_by_their_weights() {
        let benign = |words: &str| Features {
            buckets: ngram_buckets(words),
            ..Features::default()
        };
        // Only benign rows: the fit learns a low bias and benign n-grams.
        let data: Vec<(Features, bool)> = (0..40)
            .map(|i| (benign(&format!("please summarize report {i}")), false))
            .collect();
        let m = fit(&data, &FitConfig::default());
        let mut f = benign("please summarize report 7");
        let host = FiredRule {
            id: "host.secret_project".to_string(),
            category: "DATA_EXFILTRATION".to_string(),
            weight: 4.0,
            hidden: false,
        };
        f.categories = category_sums([&host]);
        f.rules = vec![host.clone()];
        assert_eq!(rules_logit([&host]), 1.0);
        // Had the fit seen the rule (with no weight of its own), the text would score below
        // what the rule's weight alone gives (-3 + 4 = +1) ...
        let mut seen = m.clone();
        seen.rules.insert(host.id.clone(), 0.0);
        assert!(seen.logit(&f) < 1.0, "{}", seen.logit(&f));
        // ... unseen, it scores exactly that.
        assert_eq!(m.logit(&f), 1.0);
        // Once the fit has weighed the rule, its fitted weights decide alone.
        seen.rules.insert(host.id.clone(), -5.0);
        assert!(seen.logit(&f) < 0.0);
    }

    #[test]
    fn the_floor_of_unseen_rules_keeps_the_benign_context() {
        let m = fit(
            &[(Features::default(), false), (Features::default(), true)],
            &FitConfig::default(),
        );
        let attack = FiredRule {
            id: "jailbreak.unseen".to_string(),
            category: "JAILBREAK".to_string(),
            weight: 3.0,
            hidden: false,
        };
        let context = FiredRule {
            id: "benign.device".to_string(),
            category: "BENIGN_CONTEXT".to_string(),
            weight: -2.0,
            hidden: false,
        };
        let mut seen = m.clone();
        seen.rules.insert(context.id.clone(), 0.0);
        let mut f = Features {
            categories: category_sums([&attack, &context]),
            rules: vec![attack.clone(), context.clone()],
            ..Features::default()
        };
        // Floor: -3 + 3 - 2 = -2, not the -3 + 3 = 0 of the unseen rule alone.
        assert!(seen.logit(&f) < 0.0, "{}", seen.logit(&f));
        assert_eq!(rules_logit([&attack, &context]), -2.0);
        // Without the context the unseen rule's floor is its weight alone.
        f.rules = vec![attack.clone()];
        f.categories = category_sums([&attack]);
        assert!(seen.logit(&f) >= 0.0);
    }
}
