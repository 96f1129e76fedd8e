from mangaassist.cli import main

raise SystemExit(main())
