//! gongkai's statutory core: the rules of government information disclosure as pure functions.
//!
//! - [`calendar`]: the working-day calendar (public holidays and 调休) from the State Council notices;
//! - [`regime`]: which 条例 governs an application, intake channels and the date of receipt;
//! - [`clock`]: the reply clock — due date, state and a readable trace from an application's events;
//! - [`directory`]: agencies as an agency file states them, and the checks of their tree (parents, cycles);
//! - [`fee`]: the information processing fee of 国办函〔2020〕109号;
//! - [`handling`]: the steps of handling an application — what a case allows, what a step records and sends;
//! - [`publishing`]: the 索引号 from an agency's pattern and the 20-working-day publication period (art. 26);
//! - [`letters`]: the letters of handling an application (补正, 征求意见, 延期, 收费, 答复), citing their articles;
//! - [`reading`]: a reading point's week (查阅点): the day's slots and the weekdays that differ;
//! - [`records`]: the facts — catalog items, applications and their outcomes, reviews, lawsuits, staff,
//!   trainings, fees … — as plain values, independent of any report format;
//! - [`quantity`]: exact quantities (ten-thousandths), shared by records and report values;
//! - [`report`]: the annual report — formats as data, derivation from records, rules, narrative;
//! - [`site`]: the platform's marks as a government website (主办单位, 备案号, 网站标识码) and their formats;
//! - [`vocabulary`]: each agency's lists of 目录分类, 主题分类 and 体裁, and how a typed or imported value finds its term.
//!
//! **Invariant:** this crate does no IO, has no async, and never reads the clock. Callers pass `as_of`.
//! `xtask tidy` checks its dependency tree and `clippy.toml` forbids the clock-reading functions.

pub mod applicants;
pub mod calendar;
pub mod clock;
pub mod dates;
pub mod directory;
pub mod fee;
pub mod handling;
pub mod letters;
pub mod notices;
pub mod publishing;
pub mod quantity;
pub mod reading;
pub mod records;
pub mod regime;
pub mod report;
pub mod site;
pub mod vocabulary;
