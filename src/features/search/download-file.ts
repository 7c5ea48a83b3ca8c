/** Saves text as a file through the browser's download (nothing leaves the machine). */
export function downloadText(fileName: string, text: string, type = 'application/geo+json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // Revoked after the click has been handled, so the download keeps its data.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
