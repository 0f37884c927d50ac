// Copy buttons: <button data-copy-target="id"> copies the text of the element with that id. Listeners only, no
// inline handlers: the Content-Security-Policy allows no inline script.
document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy-target]");
    if (!button) {
        return;
    }
    const source = document.getElementById(button.dataset.copyTarget);
    const status = document.getElementById("copy-status");
    try {
        await navigator.clipboard.writeText(source.textContent.trim());
        status.textContent = "Copied to the clipboard.";
    } catch (error) {
        // No clipboard access (an insecure origin, or a refusal): select the text for a manual copy instead.
        window.getSelection().selectAllChildren(source);
        status.textContent = "Selected: press Ctrl+C (or ⌘C) to copy.";
    }
});
