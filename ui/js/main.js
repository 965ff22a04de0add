// Starts the calm screen: asks Rust for what to show and renders it.
import { appInfo } from "./ipc.js";
import { aboutLine } from "./format.js";

const $ = (id) => document.getElementById(id);

function showNotice(message) {
  const notice = $("notice");
  notice.textContent = message;
  notice.hidden = false;
}

async function start() {
  try {
    const info = await appInfo();
    const about = $("about");
    about.textContent = aboutLine(info);
    about.title = `Your diary and photos are kept in ${info.data_dir}`;
    document.body.dataset.ready = "true";
  } catch (error) {
    showNotice(error.message);
  }
}

start();
