# The Rasa assistant (issue 4): its own Python 3.10 venv, training data exported from
# the CMS, a model retrained only when its training data changed, and its tests.
CHATBOT := chatbot
CHATBOT_VENV := $(CHATBOT)/.venv
CHATBOT_RASA := .venv/bin/rasa
# The venv also holds the repository's own Japanese text module (packages/chuo_text).
CHATBOT_TEXT_PKG := packages/chuo_text
CHATBOT_REQ_HASH := $(shell cat $(CHATBOT)/requirements.txt $(CHATBOT_TEXT_PKG)/pyproject.toml 2>/dev/null | sha256sum | cut -c1-12)
CHATBOT_VENV_STAMP := $(CHATBOT_VENV)/.installed-$(CHATBOT_REQ_HASH)
# Rasa must never try to reach the internet (telemetry) from here, CI or a ward server.
export RASA_TELEMETRY_ENABLED := false
export SANIC_HOST := 127.0.0.1

SETUP_TARGETS += chatbot-model
UP_SETUP_TARGETS += chatbot-up
COMPONENT_TESTS += chatbot-test

.PHONY: chatbot-up chatbot-train chatbot-venv chatbot-data chatbot-model chatbot-validate chatbot-test-stories \
        chatbot-test-actions chatbot-test

chatbot-venv: $(CHATBOT_VENV_STAMP)

$(CHATBOT_VENV_STAMP): $(CHATBOT)/requirements.txt $(CHATBOT_TEXT_PKG)/pyproject.toml
	@PY=$$(UV=$(UV) $(CHATBOT)/scripts/find-python310) || exit 1; \
	  echo "chatbot: Rasa venv with $$PY (about 2.7 GB, a few minutes the first time)"; \
	  $(UV) venv --quiet --allow-existing --python "$$PY" $(CHATBOT_VENV) && \
	  $(UV) pip sync --quiet --python $(CHATBOT_VENV)/bin/python $(CHATBOT)/requirements.txt && \
	  $(UV) pip install --quiet --no-deps --python $(CHATBOT_VENV)/bin/python -e $(CHATBOT_TEXT_PKG)
	rm -f $(CHATBOT_VENV)/.installed-*
	touch $@

# `make up` on a machine without a Python 3.10: find-python310 says how to get one, and
# the site comes up without the assistant (scripts/hub.py leaves rasa and actions out;
# the chat widget falls back to search and the ward's phone). `make test` still needs it.
chatbot-up: chatbot-data
	@if [ -f $(CHATBOT_VENV_STAMP) ] || UV=$(UV) $(CHATBOT)/scripts/find-python310 >/dev/null; then \
	  $(MAKE) --no-print-directory chatbot-train; \
	else \
	  echo "chatbot: the site comes up without the assistant this time."; \
	fi

# The FAQ answers (and departments) come from the CMS: re-export before training.
chatbot-data: content
	$(MANAGE) export_chatbot_data

# Retrain only when config, domain, training data or custom components changed; the
# hash of those files is stored beside the model.
define CHATBOT_TRAIN
@cd $(CHATBOT) && \
	  hash=$$(find config.yml domain data components -type f -name '*.y*ml' -o -type f -name '*.py' | sort | xargs sha256sum | sha256sum | cut -c1-16); \
	  if [ -f models/chuo.tar.gz ] && [ "$$(cat models/chuo.sha 2>/dev/null)" = "$$hash" ]; then \
	    echo "chatbot: model up to date ($$hash)"; \
	  else \
	    echo "chatbot: training data changed, training the model (about 2-5 minutes)"; \
	    $(CHATBOT_RASA) train --domain domain --fixed-model-name chuo --out models --quiet && \
	    echo "$$hash" > models/chuo.sha; \
	  fi
endef

chatbot-model: chatbot-venv chatbot-data
	$(CHATBOT_TRAIN)

# Only the training: for chatbot-up, which has exported the data already.
chatbot-train: chatbot-venv
	$(CHATBOT_TRAIN)

chatbot-validate: chatbot-venv chatbot-data
	cd $(CHATBOT) && .venv/bin/python scripts/validate.py

chatbot-test-stories: chatbot-model
	cd $(CHATBOT) && $(CHATBOT_RASA) test core --stories tests/test_conversations.yml \
	  --model models/chuo.tar.gz --fail-on-prediction-errors --out .rasa/test-results

chatbot-test-actions: chatbot-venv
	cd $(CHATBOT) && .venv/bin/python -m pytest -q -p no:cacheprovider tests

chatbot-test: chatbot-validate chatbot-test-stories chatbot-test-actions
