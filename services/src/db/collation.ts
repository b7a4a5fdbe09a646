// Column collations chosen for what a column holds. Tables default to utf8mb4_unicode_ci
// for human text (names, topics, bodies); identifiers — keys chosen by clients, emoji,
// event ids, enumerated states — compare as bytes: unicode_ci folds case and accents and
// treats every emoji outside the basic plane as equal, which merged distinct reactions and
// turned case-distinct clientMsgIds into duplicate-key 500s (issue 14).
export const BIN = "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
