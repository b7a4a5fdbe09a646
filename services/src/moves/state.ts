// The room move state machine (docs/room-moves.md). Pure: which states exist, which
// step may follow which, and what an abort or a take-over does in each state.

export const MOVE_STATES = [
  "Pending",
  "Copying",
  "CatchingUp",
  "Fenced",
  "Verifying",
  "Flipped",
  "CleaningUp",
  "Done",
  "Failed",
  "Aborted",
] as const;
export type MoveState = (typeof MOVE_STATES)[number];

export const TERMINAL_STATES: readonly MoveState[] = ["Done", "Failed", "Aborted"];
/** Once the directory flipped, a move only goes forward (the target is the truth). */
export const AFTER_FLIP_STATES: readonly MoveState[] = ["Flipped", "CleaningUp", "Done"];

const NEXT: Record<MoveState, readonly MoveState[]> = {
  Pending: ["Copying", "Failed", "Aborted"],
  Copying: ["CatchingUp", "Failed", "Aborted"],
  // CatchingUp → CatchingUp: a fence given up (pause bound) goes back to catching up.
  CatchingUp: ["CatchingUp", "Fenced", "Failed", "Aborted"],
  Fenced: ["Verifying", "CatchingUp", "Failed", "Aborted"],
  Verifying: ["Flipped", "CatchingUp", "Failed", "Aborted"],
  Flipped: ["CleaningUp"],
  CleaningUp: ["Done"],
  Done: [],
  Failed: [],
  Aborted: [],
};

/** States from which `to` may be entered (the update of a move's state is conditioned on them). */
export const predecessors = (to: MoveState): MoveState[] => MOVE_STATES.filter((s) => NEXT[s].includes(to));

export const isMoveState = (s: string): s is MoveState => (MOVE_STATES as readonly string[]).includes(s);
export const isTerminal = (s: MoveState): boolean => TERMINAL_STATES.includes(s);
export const isFlipped = (s: MoveState): boolean => AFTER_FLIP_STATES.includes(s);
export const canTransition = (from: MoveState, to: MoveState): boolean => NEXT[from].includes(to);

/** What a supervisor does with a move whose mover died, by the state it died in. */
export type Resume = "copy" | "catch-up" | "unfence" | "cleanup" | "rollback" | "none";

export function resumeAction(state: MoveState, abortRequested: boolean): Resume {
  if (isTerminal(state)) return "none";
  if (isFlipped(state)) return "cleanup";
  if (abortRequested) return "rollback";
  switch (state) {
    case "Pending":
    case "Copying":
      return "copy";
    case "CatchingUp":
      return "catch-up";
    default:
      // Died holding the fence: the pause bound is long gone; release it and catch up again.
      return "unfence";
  }
}
