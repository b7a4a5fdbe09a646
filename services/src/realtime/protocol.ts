// Moved to contracts/protocol.ts (the wire contracts' one folder). This re-export stays only
// for web/src/contracts.ts, which imports this path; clients should import
// "@chatcluster/services/protocol". Nothing in services/ imports this file.
export type * from "../contracts/protocol.js";
