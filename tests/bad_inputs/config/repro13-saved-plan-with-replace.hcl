#! base: good
#! args: apply --replace modelarts_notebook.a saved.plan
#! expect: cannot change a saved plan
