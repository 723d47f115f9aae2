//! Person names without a model: a gazetteer of common first names (English, Polish, German,
//! French, Spanish, Italian, Nordic and Slavic), capitalization and context.
//!
//! Rules, in order of confidence:
//! - a title or an introduction ("Mr.", "Dr.", "Pani", "my name is", "nazywam się") followed by
//!   a capitalized word or two: a name whether or not the gazetteer knows it;
//! - a known first name followed by one or two capitalized words (`Anna Nowak`): a full name;
//! - a known first name alone: only with a context word nearby.
//!
//! Recall is limited by design (lower-case names, surnames alone without a title, names the
//! list lacks are missed); the README gives the measured figures.

use std::collections::HashSet;

use super::context::group;
use super::{Candidate, Kind};

const FIRST_NAMES: &str = "
aaron abigail adam adrian agnes alan albert alex alexander alexandra alice alicia amanda amber amelia amy andrea andrew angela anna anne anthony arthur ashley austin barbara benjamin beth betty beverly billy brandon brenda brian brittany bruce bryan caleb cameron carl carol caroline catherine charles charlie charlotte cheryl chloe christian christina christine christopher cynthia daniel danielle david deborah debra denise dennis diana diane donald donna dorothy douglas dylan edward elizabeth ella emily emma eric ethan eugene evelyn frances gabriel gary george gerald gloria grace gregory hannah harold harry heather helen henry isabella jacob james jane janet janice jason jeffrey jennifer jeremy jerry jesse jessica joan joe john johnny jonathan jordan joseph joshua joyce judith judy julia julie justin karen katherine kathleen kathryn kayla keith kelly kenneth kevin kimberly kyle larry laura lauren lawrence linda lisa logan louis madison margaret maria marie marilyn martha mary matthew megan melissa michael michelle nancy natalie nathan nicholas nicole noah oliver olivia pamela patricia patrick paul peter philip phillip rachel ralph randy raymond rebecca richard robert roger ronald ruby russell ryan samantha samuel sandra sara sarah scott sean sharon shirley sophia stephanie stephen steven susan teresa terry thomas timothy tyler victoria vincent walter wayne william zachary
agata agnieszka aleksander aleksandra alicja andrzej aneta aniela antoni antonina barbara bartłomiej bartosz beata bogdan bogusław bożena cezary czesław damian danuta dariusz dawid dominik dominika dorota edyta elżbieta emil emilia ewa ewelina filip franciszek gabriela grażyna grzegorz halina hanna helena henryk hubert igor irena iwona izabela jacek jadwiga jakub jan janina janusz jarosław jerzy joanna jolanta józef julia julian justyna kacper kamil kamila karol karolina katarzyna kazimierz kinga klaudia konrad krystyna krzysztof lech lena leszek lucyna łukasz maciej magdalena maja małgorzata marcin marek maria mariusz marta marzena mateusz michał mieczysław mikołaj milena mirosław monika natalia nikola norbert oliwia oskar patrycja paulina paweł piotr przemysław rafał renata robert roman ryszard sebastian stanisław stefan szymon tadeusz teresa tomasz urszula wanda weronika wiesław wiktor wiktoria witold władysław włodzimierz wojciech zbigniew zdzisław zofia zuzanna zygmunt
andreas anja annika axel bernd birgit brigitte christa christoph claudia dieter dirk erika ernst florian franz frank friedrich gabriele gerhard gisela gudrun günter günther hans heike heinz helga helmut herbert holger horst ilse ingrid jan jens joachim jörg jürgen karin karl katrin klaus kurt lars lukas manfred marianne markus martin matthias monika petra rainer ralf renate rolf sabine sandra silke simone stefan steffen susanne sven thorsten torsten ulrich ursula uwe volker werner wolfgang
adèle agathe alain amélie antoine arnaud aurélie béatrice benoît bernard brigitte camille cécile céline chantal christophe claire claude clément corinne damien delphine denis didier dominique élise émilie éric étienne fabien fabrice florence françois françoise frédéric gaël geneviève gérard guillaume hélène hervé isabelle jacques jean jérôme joël josé julien laurent léa lucie luc manon marc marcel margaux mathieu maxime michel mireille monique nathalie nicolas olivier pascal philippe pierre raphaël rené sandrine sébastien solène stéphane sylvie thierry théo thibault valérie véronique vincent yann yves
adriana alejandro alicia alba álvaro ana andrés antonio beatriz carlos carmen carolina cristina diego dolores elena enrique esteban eva fernando francisco gonzalo guadalupe ignacio inés isabel jaime javier jesús jorge josé juan juana julia laura lorena lucía luis manuel marcos maría marta mercedes miguel mónica nuria pablo paula pedro pilar rafael ramón raquel ricardo roberto rocío rosa sergio silvia sofía teresa valentina vicente víctor
alessandra alessandro alessia alberto angelo antonella antonio barbara beatrice carlo chiara claudio cristina daniele davide elena emanuele enrico fabio federica federico francesca francesco gabriele giacomo gianluca giorgia giorgio giovanna giovanni giulia giuseppe lorenzo luca lucia marco matteo mattia michele nicola paola paolo pietro raffaele riccardo roberta roberto salvatore sara silvia simone stefano tommaso valentina valerio vincenzo
aaliyah abdul ahmed ali amir aisha alina amara andre angelina arianna arjun ayesha bianca brooke bryce cassandra cecilia colin connor dale darius dean derek dmitry eleanor elias elijah eliza erika esther ezra fatima felix fiona freya gavin gemma gianna hamza harvey hassan hector hugo ian imogen isaac isla jade jasmine jayden jonas josephine juliet kai kara keira kiara kira leah leila leo leon levi liam lila lina lucas luna malik maya mia milan mila mohammed mohamed muhammad nadia noel nora omar oscar owen priya quinn rahul ravi reza rhys riley rita rui sami sophie stella tara tessa theo tobias vera wesley xavier yasmin yusuf zara zoe
anders annika astrid birgitta björn erik eva gunnar hanna ingrid johan karin kristina lars magnus maja mikael nils olof oskar per sofia sven ulf åsa
aleksandr alexei anastasia andrei boris dmitri ekaterina elena irina ivan marina mikhail natalia nikolai olga pavel sergei svetlana tatiana vladimir yuri jana jiří josef petr tereza zdeněk lucie veronika tomáš pavla šárka
";

/// First names that are also common words: they need a surname or context.
const AMBIGUOUS: &str = "will may june april august mark bill grace hope faith joy rose lily iris summer dawn eve art rich frank pat sue ray jack jean don guy max sunny crystal amber ruby pearl violet ivy holly heather robin victor chase hunter miles page penny sandy sky storm wade woody lucky honey angel beauty cherry dolly earl king prince may ewa adam nie ana lena per eva";

/// Capitalized words that follow a first name but are not surnames.
const NOT_SURNAME: &str = "the and or but of in on at to for from with by is are was were be has have had i you he she we they it this that monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december street st road avenue ave suite apt inc ltd llc corp company group bank university hospital school city county";

/// Introductions after which a capitalized word is a name.
const INTRO: &[&str] = &[
    "my name is ",
    "name is ",
    "name: ",
    "nazywam się ",
    "mam na imię ",
    "ich heiße ",
    "je m'appelle ",
    "me llamo ",
    "mi chiamo ",
];

const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam", "pan", "pani", "panie", "herr",
    "frau", "monsieur", "madame", "mme", "m", "señor", "señora", "sr", "sra", "signor", "signora",
    "sig",
];

/// Compiled gazetteer.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    first: HashSet<&'static str>,
    ambiguous: HashSet<&'static str>,
    not_surname: HashSet<&'static str>,
}

struct Word {
    start: usize,
    end: usize,
}

fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let part = c.is_alphabetic() || ((c == '-' || c == '\'') && start.is_some());
        match (part, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(Word { start: s, end: i });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Word {
            start: s,
            end: text.len(),
        });
    }
    for w in &mut out {
        // "Anna's" is Anna; a trailing hyphen or apostrophe is punctuation.
        if text[w.start..w.end].ends_with("'s") && w.end - w.start > 2 {
            w.end -= 2;
        }
        while w.end > w.start && matches!(text.as_bytes()[w.end - 1], b'-' | b'\'') {
            w.end -= 1;
        }
    }
    out
}

/// Capitalized: an upper-case first letter followed by at least one lower-case letter.
fn capitalized(w: &str) -> bool {
    let mut chars = w.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.any(char::is_lowercase)
}

impl Names {
    pub(crate) fn new() -> Self {
        Names {
            first: FIRST_NAMES.split_whitespace().collect(),
            ambiguous: AMBIGUOUS.split_whitespace().collect(),
            not_surname: NOT_SURNAME.split_whitespace().collect(),
        }
    }

    pub(crate) fn scan(&self, text: &str, out: &mut Vec<Candidate>) {
        let ws = words(text);
        let word = |i: usize| &text[ws[i].start..ws[i].end];
        // Only a single space (or ". " after an initial) joins the parts of a name.
        let joined = |i: usize| {
            let gap = &text[ws[i].end..ws[i + 1].start];
            gap == " " || (gap == ". " && ws[i].end - ws[i].start == 1)
        };
        let surname = |i: usize| {
            let w = word(i);
            capitalized(w) && !self.not_surname.contains(w.to_lowercase().as_str())
        };
        // Capitalized words following `i`, up to two.
        let extend = |i: usize| {
            let mut j = i;
            while j + 1 < ws.len() && j < i + 2 && joined(j) && surname(j + 1) {
                j += 1;
            }
            j
        };
        let mut i = 0;
        while i < ws.len() {
            let w = word(i);
            let lower = w.to_lowercase();
            // The few bytes before the word: enough for the longest introduction.
            let mut from = ws[i].start.saturating_sub(24);
            while !text.is_char_boundary(from) {
                from -= 1;
            }
            let before = text[from..ws[i].start].to_lowercase();
            let titled = i > 0
                && TITLES.contains(&word(i - 1).to_lowercase().as_str())
                && matches!(&text[ws[i - 1].end..ws[i].start], " " | ". ");
            let introduced = INTRO.iter().any(|p| before.ends_with(p));
            let is_title = TITLES.contains(&lower.as_str());
            if capitalized(w)
                && (titled || introduced)
                && !is_title
                && !self.not_surname.contains(lower.as_str())
            {
                let j = extend(i);
                out.push(Candidate::new(
                    Kind::Person,
                    ws[i].start,
                    ws[j].end,
                    0.7,
                    group::PERSON,
                ));
                i = j + 1;
                continue;
            }
            if capitalized(w) && self.first.contains(lower.as_str()) {
                let j = extend(i);
                let ambiguous = self.ambiguous.contains(lower.as_str());
                let score = match (j > i, ambiguous) {
                    (true, false) => 0.6,
                    (true, true) => 0.45,
                    (false, false) => 0.5,
                    (false, true) => 0.1,
                };
                let mut c =
                    Candidate::new(Kind::Person, ws[i].start, ws[j].end, score, group::PERSON);
                c.boost = 0.3;
                out.push(c);
                i = j + 1;
                continue;
            }
            // A capitalized word with a typical surname ending ("Kowalski", "Nyström" does
            // not qualify, "Eriksson" does), optionally preceded by a capitalized word.
            let after_street = i > 0 && STREET_WORDS.contains(&word(i - 1).to_lowercase().as_str());
            if capitalized(w)
                && w.chars().count() >= 5
                && has_surname_suffix(&lower)
                && !NOT_SURNAME_WORDS.contains(&lower.as_str())
                && !after_street
            {
                let joined_before = i > 0
                    && joined(i - 1)
                    && surname(i - 1)
                    && !TITLES.contains(&word(i - 1).to_lowercase().as_str());
                let start = if joined_before {
                    ws[i - 1].start
                } else {
                    ws[i].start
                };
                let mut c = Candidate::new(
                    Kind::Person,
                    start,
                    ws[i].end,
                    if joined_before { 0.55 } else { 0.4 },
                    group::PERSON,
                );
                c.boost = 0.3;
                out.push(c);
            }
            i += 1;
        }
    }
}

/// Surname endings common in the supported languages and their neighbours.
const SURNAME_SUFFIXES: &[&str] = &[
    "ski", "ska", "cki", "cka", "dzki", "dzka", "wicz", "owicz", "ewicz", "czyk", "czak", "iak",
    "son", "sson", "sen", "ović", "ovic", "evic", "ević", "ová", "ova", "escu", "ini", "elli",
    "etti", "ucci", "mann", "dóttir", "dottir", "enko", "chuk", "vich", "shvili", "oglu",
];

/// Ordinary words with a surname ending.
const NOT_SURNAME_WORDS: &[&str] = &[
    "person",
    "salesperson",
    "chairperson",
    "spokesperson",
    "reason",
    "season",
    "lesson",
    "poison",
    "prison",
    "comparison",
    "unison",
    "venison",
    "garrison",
    "supernova",
    "mission",
    "nelson",
    "madison",
    "business",
    "version",
    "cookie",
];

/// Words that start street names ("Via Franscini" is an address, not a person).
const STREET_WORDS: &[&str] = &[
    "via", "vicolo", "viale", "piazza", "corso", "ulica", "ul", "aleja", "al", "plac", "rue",
    "avenue", "calle", "avenida", "plaza", "paseo", "strasse", "straße", "gasse", "platz", "st",
    "street", "road",
];

fn has_surname_suffix(lower: &str) -> bool {
    SURNAME_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, f32)> {
        let mut out = Vec::new();
        Names::new().scan(text, &mut out);
        out.into_iter()
            .map(|c| (text[c.start..c.end].to_string(), c.score))
            .collect()
    }

    #[test]
    fn full_names_titles_and_introductions() {
        let n = names("Dear Mr. Kowalski, Anna Nowak and Łukasz Wiśniewski met. My name is Rubija");
        let spans: Vec<&str> = n.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            spans,
            ["Kowalski", "Anna Nowak", "Łukasz Wiśniewski", "Rubija"]
        );
        // A lone ambiguous first name is not enough.
        assert!(names("I will call in May.").iter().all(|(_, s)| *s < 0.5));
        // A surname ending needs a capitalized word before it, and a street word is not one.
        let n = names("Report by Zdzisiek Brzęczyszczykiewicz on Via Franscini.");
        assert_eq!(n.len(), 1, "{n:?}");
        assert_eq!(n[0].0, "Zdzisiek Brzęczyszczykiewicz");
        assert!(n[0].1 >= 0.5);
    }
}
