;;; emacs-test.el --- headless eglot test of editors/emacs/abi3ls.el  -*- lexical-binding: t -*-
;; Run by tests/editor-emacs.sh:
;;   SERVER=... PLUGIN=<repo>/editors/emacs CFILE=<ws>/spam.c DIAG_WAIT=15 \
;;     emacs --batch -Q -l emacs-test.el < /dev/null
;; Exit 0 = every check passed.
(require 'package)
;; Emacs 28: eglot comes from Debian's elpa-eglot; -Q skips site-start, so point package.el there.
(when (< emacs-major-version 29)
  (add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
  (package-activate-all))
(require 'eglot)
(require 'flymake)
(require 'cl-lib)

(defvar t-failed nil)
(defvar t-start (float-time))
(defun t-check (ok what)
  (princ (format "%s %s [+%d ms]\n" (if ok "PASS" "FAIL") what
                 (round (* 1000 (- (float-time) t-start)))))
  (unless ok (setq t-failed t))
  ok)
(defun t-wait (pred secs)
  "Run the event loop until PRED holds or SECS pass."
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))
(defun t-abi001 ()
  (cl-remove-if-not (lambda (d) (string-match-p "\\[ABI001\\]" (flymake-diagnostic-text d)))
                    (flymake-diagnostics)))
(defun t-sync ()
  "Send pending changes now (idle timers do not fire in batch)."
  (eglot--signal-textDocument/didChange))
(defun t-finish ()
  (kill-emacs (if t-failed 1 0)))

(let* ((server (or (getenv "SERVER") (error "SERVER env")))
       (plugin (or (getenv "PLUGIN") (error "PLUGIN env")))
       (cfile (or (getenv "CFILE") (error "CFILE env")))
       (diag-wait (string-to-number (or (getenv "DIAG_WAIT") "15")))
       (eglot-sync-connect t)
       (eglot-connect-timeout 15)
       (eglot-send-changes-idle-time 0.1)
       (eglot-confirm-server-edits nil)   ; newer eglot may prompt before applying edits
       (eglot-events-buffer-size 2000000) ; kept to check what was sent
       (debug-on-error nil))
  (princ (format "INFO Emacs %s, eglot %s\n" emacs-version
                 (or (ignore-errors (package-version-join
                                     (package-desc-version (cadr (assq 'eglot package-alist)))))
                     (ignore-errors (package-version-join (alist-get 'eglot package--builtin-versions)))
                     "?")))
  ;; The package byte-compiles without warnings.
  (let* ((dir (make-temp-file "abi3ls-elc" t))
         (copy (expand-file-name "abi3ls.el" dir))
         (byte-compile-error-on-warn t))
    (copy-file (expand-file-name "abi3ls.el" plugin) copy)
    (t-check (byte-compile-file copy) "abi3ls.el byte-compiles without warnings")
    (load (concat (file-name-sans-extension copy) ".elc") nil t))

  ;; Registration as an alternative keeps the configured server as the default.
  (let ((eglot-server-programs (list (cons '(c-mode c++-mode) '("clangd")))))
    (abi3ls-eglot-setup 'alternative)
    (let ((contact (cdr (car eglot-server-programs))))
      (t-check (and (equal (car (car eglot-server-programs)) abi3ls-modes)
                    (equal (funcall contact nil) '("clangd"))
                    (cl-letf (((symbol-function 'completing-read) (lambda (&rest _) "abi3ls")))
                      (equal (funcall contact t) (list 'abi3ls-eglot-server abi3ls-executable "serve"))))
               "alternative registration: clangd by default, abi3ls when chosen")))

  (setq abi3ls-executable server)
  (customize-set-variable 'abi3ls-severity '(("ABI009" . "warning")))
  (abi3ls-eglot-setup)
  (t-check (equal (car (car eglot-server-programs)) '(c-mode c++-mode c-ts-mode c++-ts-mode))
           "abi3ls registered for c-mode c++-mode c-ts-mode c++-ts-mode")
  (with-current-buffer (find-file-noselect cfile)
    (t-check (eq major-mode 'c-mode) (format "major mode %s" major-mode))
    ;; eglot-ensure waits for post-command-hook, which batch never runs: connect directly.
    (apply #'eglot (eglot--guess-contact))
    (let ((srv (eglot-current-server)))
      (t-check (abi3ls--server-p srv) (format "eglot connected with %S" (and srv (eieio-object-class srv))))
      ;; initializationOptions carried the customized settings.
      (let ((events (with-current-buffer (jsonrpc-events-buffer srv) (buffer-string))))
        (t-check (and (string-match-p ":initializationOptions" events)
                      (string-match-p "ABI009" events) (string-match-p ":audit" events))
                 "initializationOptions sent with the customized settings")))
    (flymake-start nil t)
    (let ((got (t-wait (lambda () (>= (length (t-abi001)) 2)) diag-wait)))
      (dolist (d (flymake-diagnostics))
        (princ (format "DIAG line %d %s %s\n" (line-number-at-pos (flymake-diagnostic-beg d))
                       (flymake-diagnostic-type d) (flymake-diagnostic-text d))))
      (unless (t-check got "flymake shows two [ABI001] diagnostics")
        (t-finish)))
    (goto-char (point-min))
    (search-forward "PyTuple_GET_ITEM(args, 0)")
    (let* ((beg (match-beginning 0)) (end (+ beg (length "PyTuple_GET_ITEM")))
           (d (car (t-abi001))))
      (t-check (and (eq (flymake-diagnostic-type d) 'eglot-error)
                    (= (flymake-diagnostic-beg d) beg))
               (format "first ABI001 is an error at the first use (%s)" (flymake-diagnostic-type d)))
      ;; hover
      (goto-char (+ beg 3))
      (let* ((hover (jsonrpc-request (eglot--current-server-or-lose) :textDocument/hover
                                     (eglot--TextDocumentPositionParams)))
             (contents (plist-get hover :contents))
             (text (if (stringp contents) contents (format "%s" (or (plist-get contents :value) contents)))))
        (t-check (string-match-p "PyTuple_GetItem" text)
                 (format "hover names PyTuple_GetItem: %s"
                         (truncate-string-to-width (replace-regexp-in-string "\n" " " text) 300))))
      ;; quick fix through eglot's code-action command; a prompt (several actions) picks the PyTuple_GetItem one
      (let (offered)
        (cl-letf (((symbol-function 'completing-read)
                   (lambda (_prompt coll &rest _)
                     (let ((titles (if (functionp coll) (all-completions "" coll) (mapcar (lambda (c) (if (consp c) (car c) c)) coll))))
                       (setq offered titles)
                       (or (cl-find-if (lambda (s) (string-match-p "PyTuple_GetItem" s)) titles) (car titles))))))
          ;; A keyboard invocation (batch leaves last-nonmenu-event nil, which means "mouse menu").
          (let ((last-nonmenu-event ?\r))
            (eglot-code-actions beg end "quickfix" t)))
        (t-check (save-excursion (goto-char (point-min)) (search-forward "PyTuple_GetItem(args, 0)" nil t))
                 (format "quick fix applied (prompted with: %S)" offered))))
    (t-check (save-excursion (goto-char (point-min)) (search-forward "PyTuple_GET_ITEM(args, 1)" nil t))
             "the other use is untouched")
    (t-sync)
    (t-check (t-wait (lambda () (= (length (t-abi001)) 1)) 5)
             (format "one [ABI001] left after the quick fix (%d)" (length (t-abi001))))
    ;; fix all
    (abi3ls-fix-all)
    (t-check (save-excursion (goto-char (point-min))
                             (and (not (search-forward "PyTuple_GET_ITEM" nil t))
                                  (progn (goto-char (point-min)) (search-forward "PyTuple_GetItem(args, 1)" nil t))))
             "abi3ls-fix-all rewrote the second use")
    (t-sync)
    (t-check (t-wait (lambda () (null (t-abi001))) 5) "no [ABI001] left")
    (save-buffer)
    ;; target
    (let ((msg (abi3ls-show-target)))
      (t-check (and msg (string-match-p "abi3 3\\.10\\+" msg)) (format "abi3ls-show-target: %s" msg)))
    ;; settings change reaches the server
    (customize-set-variable 'abi3ls-audit "warning")
    (let ((events (with-current-buffer (jsonrpc-events-buffer (eglot-current-server)) (buffer-string))))
      (t-check (string-match-p "didChangeConfiguration\\(.\\|\n\\)*\"warning\"" events)
               "changing abi3ls-audit sends workspace/didChangeConfiguration"))
    (let ((srv (eglot-current-server)))
      (eglot-shutdown srv)
      (t-check (not (process-live-p (jsonrpc--process srv))) "server shut down"))))
(t-finish)
