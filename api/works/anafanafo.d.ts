declare module 'anafanafo' {
  /** Width in pixels of `text` in one of the fonts whose metrics the package ships. */
  export default function anafanafo(
    text: string,
    options: { font: '11px Verdana' | '10px Verdana' | 'bold 10px Verdana' | 'bold 11px Helvetica'; guess?: boolean },
  ): number;
}
