// The reversible rationale <-> proof transformation (METHOD.md, "Terms"): a rationale z explains a preference;
// its proof ẑ is the same text framed to justify a GIVEN label: a claim line, the rationale verbatim, a closing
// line. proofToRationale(rationaleToProof(z, l)) === z for every string z. Pure string code, no dependencies.
import type { Label } from '../../core/data/records.js';

/** The claim line that opens a proof of `label` (followed by a newline). */
export function claimLine(label: Label): string {
  return `Claim: ${label} is better.`;
}

/** The line that closes a proof of `label` (preceded by a newline). */
export function closingLine(label: Label): string {
  return `Hence ${label} is better.`;
}

/**
 * The proof layout of rationale `z` for `label`:
 * `Claim: <l> is better.\n<z>\n<Hence <l> is better.>`. `z` is kept byte for byte (it may hold newlines).
 */
export function rationaleToProof(rationale: string, label: Label): string {
  return `${claimLine(label)}\n${rationale}\n${closingLine(label)}`;
}

/** A proof read back: the labels its two framing lines name and the rationale between them. */
export interface ParsedProof {
  /** The label the claim line names. */
  claim: Label;
  /** The label the closing line names. */
  conclusion: Label;
  /** The rationale: everything between the claim line and the closing line, unchanged. */
  rationale: string;
}

const CLAIM = /^Claim: ([AB]) is better\.\n/;
const CLOSING = /\nHence ([AB]) is better\.$/;

/**
 * Parse a proof in the layout of `rationaleToProof`, or undefined when it does not have that layout (no claim
 * line, no closing line, or the two overlap). The labels are returned as written; agreement is the caller's rule.
 */
export function parseProof(proof: string): ParsedProof | undefined {
  const head = CLAIM.exec(proof);
  const tail = CLOSING.exec(proof);
  // An empty z still has both newlines ("Claim...\n\nHence..."); one shared newline is not the layout.
  if (!head || !tail || tail.index < head[0].length) return undefined;
  return { claim: head[1] as Label, conclusion: tail[1] as Label, rationale: proof.slice(head[0].length, tail.index) };
}

/** The rationale of a proof (the inverse of `rationaleToProof`), or undefined when the layout does not parse. */
export function proofToRationale(proof: string): string | undefined {
  return parseProof(proof)?.rationale;
}
