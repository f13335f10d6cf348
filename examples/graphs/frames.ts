// Test frames for the snapshot graph: 224×224 rgb24 images of one dominant colour, with a
// little per-pixel noise so no channel is flat.
export const FRAME_SIDE = 224;

export function colourFrame(r: number, g: number, b: number, side = FRAME_SIDE): Buffer {
  const f = Buffer.alloc(side * side * 3);
  for (let i = 0; i < side * side; i++) {
    const noise = ((i * 7) % 21) - 10;
    f[3 * i] = Math.max(0, Math.min(255, r + noise));
    f[3 * i + 1] = Math.max(0, Math.min(255, g - noise));
    f[3 * i + 2] = Math.max(0, Math.min(255, b + noise));
  }
  return f;
}

export const RED = (): Buffer => colourFrame(200, 30, 40);
export const GREEN = (): Buffer => colourFrame(60, 180, 90);
export const BLUE = (): Buffer => colourFrame(20, 40, 230);
