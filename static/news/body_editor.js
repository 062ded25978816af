// The article body editor (portal/news/editor.py): starts django-prose-editor's bundle on every
// textarea marked data-news-body-editor, with no inline script and no injected <style>, so it
// runs under the site's Content-Security-Policy (script-src 'self', style-src 'self').
//
// The textarea carries its configuration as JSON (the extensions the server allows), the
// bundle's address (data-editor-module) and, when pictures may be uploaded, the upload address.

const MARKER = "data-news-body-editor"

// Chinese names for the toolbar; django-prose-editor ships no Chinese catalogue.
const ZH_BUTTONS = {
  bold: "加粗",
  italic: "斜体",
  underline: "下划线",
  bulletList: "项目符号列表",
  orderedList: "编号列表",
  blockquote: "引用",
  horizontalRule: "分隔线",
  link: "插入链接",
  unlink: "取消链接",
  table: "插入表格",
  "history:undo": "撤销",
  "history:redo": "重做",
  paragraph: "正文段落",
  heading2: "二级标题",
  heading3: "三级标题",
  heading4: "四级标题",
  newsImage: "插入图片",
  "table:addColumnAfter": "在右侧插入一列",
  "table:deleteColumn": "删除所在列",
  "table:addRowAfter": "在下方插入一行",
  "table:deleteRow": "删除所在行",
  "table:mergeCells": "合并单元格",
  "table:splitCell": "拆分单元格",
  "table:toggleHeaderCell": "设为或取消表头",
  "table:deleteTable": "删除表格",
}
// Titles the bundle sets without a menu name or a catalogue entry (the block-type dropdown
// shows the current block's name).
const ZH_TITLES = {
  paragraph: "正文段落",
  heading: "标题",
  "Insert table": "插入表格",
}
// Option labels of its dialogs (the values stay as the bundle reads them).
const ZH_OPTIONS = { Yes: "是", No: "否" }
// Dialog texts the bundle translates through the admin's JavaScript catalogue.
const ZH_CATALOG = {
  URL: "网址",
  Title: "标题",
  "Edit Link": "编辑链接",
  Update: "确定",
  Cancel: "取消",
  Rows: "行数",
  Columns: "列数",
  "Include header row": "包含表头行",
  "Table Properties": "表格",
  "Insert Table": "插入表格",
  "List properties": "列表设置",
  "List type": "列表类型",
  "Start at": "起始编号",
  Bullets: "圆点",
  "Decimal numbers": "数字",
  "Lowercase letters": "小写字母",
  "Uppercase letters": "大写字母",
  "Lowercase Roman numerals": "小写罗马数字",
  "Uppercase Roman numerals": "大写罗马数字",
  Insert: "插入",
  "Open in new window": "在新窗口打开",
  "Edit Image": "编辑图片",
  "Image URL": "图片地址",
  "Alternative Text": "图片说明",
  "Toggle fullscreen": "全屏编辑",
  "Edit HTML": "编辑HTML",
  Prettify: "整理格式",
  "Browse...": "浏览……",
}
const ZH_MESSAGES = {
  uploading: "正在上传图片……",
  failed: "图片上传失败，请检查网络后重试。",
  altTitle: "图片说明（供读屏软件朗读，可不填）",
  insert: "插入",
}
const EN_MESSAGES = {
  uploading: "Uploading the picture…",
  failed: "The picture could not be uploaded; check the connection and try again.",
  altTitle: "Description of the picture (read aloud by screen readers; optional)",
  insert: "Insert",
}

const chinese = (document.documentElement.lang || "zh").toLowerCase().startsWith("zh")
const messages = chinese ? ZH_MESSAGES : EN_MESSAGES

// The bundle reads window.gettext once, when it is first imported (start() below imports it):
// the admin's JavaScript catalogue first (its table is private), then ours.
if (chinese) {
  const admin = typeof window.gettext === "function" ? window.gettext : (msgid) => msgid
  window.gettext = (msgid) => {
    const text = admin(msgid)
    return text === msgid && msgid in ZH_CATALOG ? ZH_CATALOG[msgid] : text
  }
}

// Tiptap's injectCSS would add a <style> element, which the policy refuses.
const csrfToken = (textarea) =>
  textarea.form?.querySelector("input[name=csrfmiddlewaretoken]")?.value || ""

function imageUpload(pe, textarea, status) {
  const url = textarea.dataset.uploadUrl
  const accept = textarea.dataset.uploadAccept || "image/*"

  const say = (text, isError = false) => {
    status.textContent = text
    status.classList.toggle("errornote", isError)
    status.hidden = !text
  }

  const upload = async (editor, file) => {
    const body = new FormData()
    body.append("image", file)
    say(messages.uploading)
    let answer
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea) },
      })
      answer = await response.json().catch(() => ({}))
      if (!response.ok || !answer.url) {
        say(answer.error || messages.failed, true)
        return
      }
    } catch {
      say(messages.failed, true)
      return
    }
    say("")
    const attrs = await pe.updateAttrsDialog(
      { alt: { type: "string", title: messages.altTitle } },
      { title: ZH_BUTTONS.newsImage, submitText: messages.insert },
    )(editor, { alt: "" })
    editor
      .chain()
      .focus()
      .setImage({ src: answer.url, alt: attrs?.alt?.trim() || "" })
      .run()
  }

  return pe.Extension.create({
    name: "newsImageUpload",
    addMenuItems({ buttons, menu }) {
      menu.defineItem({
        name: "newsImage",
        groups: "nodes",
        button: buttons.material("add_photo_alternate", ZH_BUTTONS.newsImage),
        enabled: (editor) => editor.can().setImage({ src: "/" }),
        command(editor) {
          const input = document.createElement("input")
          input.type = "file"
          input.accept = accept
          input.addEventListener("change", () => {
            if (input.files?.length) upload(editor, input.files[0])
          })
          input.click()
        },
      })
    },
  })
}

function translateMenu(menubar) {
  if (!chinese) return
  for (const element of menubar.querySelectorAll("[data-name]")) {
    const text = ZH_BUTTONS[element.dataset.name]
    if (!text) continue
    if (element.classList.contains("prose-menubar__option")) {
      const label = element.firstElementChild
      if (label && label.textContent !== text) label.textContent = text
    } else if (element.title !== text) {
      element.title = text
      element.setAttribute("aria-label", text)
    }
  }
  for (const element of menubar.querySelectorAll("[title]")) {
    const text = ZH_TITLES[element.title]
    if (text) {
      element.title = text
      element.setAttribute("aria-label", text)
    }
  }
  for (const option of menubar.querySelectorAll(".prose-editor-dialog option")) {
    const text = ZH_OPTIONS[option.textContent]
    if (!text) continue
    // An option without a value sends its text: keep sending what the bundle reads.
    if (!option.hasAttribute("value")) option.value = option.textContent
    option.textContent = text
  }
}

// The table tools appear when the cursor enters a table and dialogs open later: translate
// whatever the bundle adds, as it adds it.
function keepTranslated(element) {
  if (!chinese) return
  translateMenu(element)
  new MutationObserver(() => translateMenu(element)).observe(element, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["title"],
  })
}

async function start(textarea) {
  if (textarea.closest(".prose-editor")) return
  const config = JSON.parse(textarea.getAttribute(MARKER) || "{}")
  const pe = await import(textarea.dataset.editorModule)

  const extensions = []
  for (const [name, options] of Object.entries(config.extensions || {})) {
    const extension = pe[name]
    if (!extension) continue
    extensions.push(typeof options === "object" ? extension.configure(options) : extension)
  }
  const status = document.createElement("p")
  status.className = "news-body-editor__status"
  status.setAttribute("role", "status")
  status.hidden = true
  if (textarea.dataset.uploadUrl) extensions.push(imageUpload(pe, textarea, status))

  const element = document.createElement("div")
  element.className = "prose-editor news-body-editor"
  textarea.before(element)
  element.append(textarea)

  const editor = new pe.Editor({
    element,
    extensions,
    content: textarea.value,
    injectCSS: false,
    onUpdate({ editor }) {
      // An empty document is one empty paragraph; store nothing then.
      const html = editor.getHTML()
      textarea.value = /^<(\w+)(\s[^>]*)?><\/\1>$/.test(html) ? "" : html
      textarea.dispatchEvent(new Event("input", { bubbles: true }))
    },
  })
  element.after(status)
  // Tiptap builds the menu bar in its "create" event, which it emits after a tick.
  editor.on("create", () => {
    keepTranslated(element)
    textarea.dispatchEvent(
      new CustomEvent("prose-editor:ready", { detail: { editor, textarea }, bubbles: true }),
    )
  })
}

for (const textarea of document.querySelectorAll(`textarea[${MARKER}]`)) {
  start(textarea).catch((error) => console.error("news body editor:", error))
}
